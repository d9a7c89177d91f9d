--liquibase formatted sql

--changeset lagwise:1
CREATE TABLE lb_item (id BIGINT PRIMARY KEY, name VARCHAR(40) NOT NULL);

--changeset lagwise:2
INSERT INTO lb_item (id, name) VALUES (1, 'first'), (2, 'second');
