INSERT INTO fw_item_${suffix} (id, name) VALUES (1, 'first'), (2, 'second');
