-- What the application makes on its first start (metadata.create_all()), before any revision.
CREATE TABLE customers (id serial PRIMARY KEY);
