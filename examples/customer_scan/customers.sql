-- The customer database of the customer_scan example (fake people, test numbers).
-- build_db.py turns this file into customers.db.
CREATE TABLE customers (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    email TEXT NOT NULL,
    phone TEXT,
    date_of_birth TEXT,
    country TEXT NOT NULL
);

CREATE TABLE payment_methods (
    id INTEGER PRIMARY KEY,
    customer_id INTEGER NOT NULL REFERENCES customers (id),
    iban TEXT,
    card_last_used TEXT
);

CREATE TABLE orders (
    id INTEGER PRIMARY KEY,
    customer_id INTEGER NOT NULL REFERENCES customers (id),
    total REAL NOT NULL,
    notes TEXT
);

INSERT INTO customers VALUES
    (1, 'Jane Doe', 'jane.doe@northwind-mail.com', '+44 20 7946 0958', '1984-07-12', 'GB'),
    (2, 'Max Mustermann', 'max.mustermann@beispiel-post.de', '+49 30 901820', '1979-02-28', 'DE'),
    (3, 'Alex Smith', 'alex.smith@example.net', '+1 202 555 0173', NULL, 'US'),
    (4, 'Priya Kumar', 'priya.k@lotus-mail.in', NULL, '1991-11-03', 'IN');

INSERT INTO payment_methods VALUES
    (1, 1, 'GB82 WEST 1234 5698 7654 32', '2024-03-01'),
    (2, 2, 'DE89 3704 0044 0532 0130 00', '2024-02-11');

INSERT INTO orders VALUES
    (101, 1, 49.90, 'Leave the parcel with the neighbour at no. 12.'),
    (102, 2, 120.00, 'Paid with card 4556 7375 8689 9855, receipt by e-mail.'),
    (103, 3, 15.50, 'Gift wrap, no invoice in the box.'),
    (104, 1, 8.99, 'Express delivery.');
