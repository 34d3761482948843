"""Custom Rasa input channels (Slack with a configurable Web API base URL)."""
