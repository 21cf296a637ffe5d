UPDATE users SET phone = NULL WHERE email = 'bob@example.com';
