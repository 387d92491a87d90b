// Does not compile: the problem matcher sees its compiler error.
int f() { return undeclared; }
