DROP VIEW {{view}};
