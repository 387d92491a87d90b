// A cache, its statistics and its journal: each class in its own file, each
// file consistent on its own. Together they take three locks in a circle.
#pragma once
#include <mutex>

class Cache {
public:
  void put(int key);   // cache.cpp: Cache::mu_, then Stats::record
  void evict(int key); // cache.cpp: Cache::mu_
private:
  std::mutex mu_;
};

class Stats {
public:
  void record(int key); // stats.cpp: Stats::mu_
  void flush();         // stats.cpp: Stats::mu_, then Journal::append
private:
  std::mutex mu_;
};

class Journal {
public:
  void append(int key); // journal.cpp: Journal::mu_
  void replay();        // journal.cpp: Journal::mu_, then Cache::evict
private:
  std::mutex mu_;
};

extern Cache cache;
extern Stats stats;
extern Journal journal;
