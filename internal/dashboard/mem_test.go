package dashboard

import "runtime"

type runtimeMemStats = runtime.MemStats

// readMem collects garbage first so the heap figure is what is live.
func readMem(ms *runtime.MemStats) {
	runtime.GC()
	runtime.ReadMemStats(ms)
}
