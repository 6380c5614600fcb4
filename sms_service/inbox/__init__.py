"""The Mentor Mother's inbox: answering a client (issue 20, SPEC "Conversations")."""
