"""The `sms-service` commands of each part (imports, transfers, appointments, accounts, API
tokens): thin, as views are; `cli` names them and loads each only when it is used."""
