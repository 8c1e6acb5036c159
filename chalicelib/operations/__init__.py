"""Operations: scheduled jobs (daily backups) and the record of every run."""
