-- Four tenants, a schema each, in one database (the tables come from the migrations).
CREATE SCHEMA tenant_acme;
CREATE SCHEMA tenant_globex;
CREATE SCHEMA tenant_initech;
CREATE SCHEMA tenant_umbrella;
