"""feedback-watcher: notices answers to your interview-feedback requests and when to ask again."""

__version__ = "0.1.0"
