-- An organisation's own time zone (IANA name, such as Asia/Karachi) for its
-- users' "today"; empty means the instance's zone.
ALTER TABLE organisations ADD COLUMN time_zone TEXT NOT NULL DEFAULT '';
