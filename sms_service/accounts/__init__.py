"""Dashboard accounts: people who log in (`users`), and the `sms-service users` commands."""
