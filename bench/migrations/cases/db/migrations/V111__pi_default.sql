ALTER TABLE shapes ADD COLUMN ratio double precision DEFAULT (PI());
