-- SHARE ROW EXCLUSIVE conflicts with the ROW EXCLUSIVE lock every INSERT/UPDATE/DELETE takes:
-- writers wait until the slice commits; readers never wait.
LOCK TABLE {{target}} IN SHARE ROW EXCLUSIVE MODE;
