-- Run once by the postgres image on an empty volume (docker-entrypoint-initdb.d):
-- one database per service, all owned by the lapak user. A service never reads
-- another service's database; it learns about the others through Kafka events.
CREATE DATABASE research OWNER lapak;
CREATE DATABASE pricing OWNER lapak;
CREATE DATABASE marketing OWNER lapak;
CREATE DATABASE sales OWNER lapak;
CREATE DATABASE fulfillment OWNER lapak;
CREATE DATABASE ledger OWNER lapak;
CREATE DATABASE crm OWNER lapak;
