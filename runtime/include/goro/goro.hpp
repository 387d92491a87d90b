// <goro/goro.hpp> — Go's concurrency model for C++20: the umbrella header.
//
// Semantics follow Go unless a header says otherwise. "Blocks" means: parks
// the calling goroutine (fiber) and lets its worker thread run others; called
// from a plain OS thread (main(), std::thread) it blocks that thread. Every
// primitive works from both.
#pragma once

#include "goro/chan.hpp"
#include "goro/context.hpp"
#include "goro/debug.hpp"
#include "goro/errgroup.hpp"
#include "goro/error.hpp"
#include "goro/go.hpp"
#include "goro/http.hpp"
#include "goro/os.hpp"
#include "goro/select.hpp"
#include "goro/sync.hpp"
#include "goro/time.hpp"
#include "goro/types.hpp"
