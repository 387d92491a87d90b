// A C++ file beside an assembly one; nothing to report.
int add(int a, int b) { return a + b; }
