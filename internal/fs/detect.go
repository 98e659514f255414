package fs

import (
	"fmt"
	"io"
	"sync"
)

var (
	enginesMu sync.RWMutex
	engines   []Engine
)

// Register makes an engine available to Detect. Engines call it from init.
// It panics on a duplicate name.
func Register(e Engine) {
	enginesMu.Lock()
	defer enginesMu.Unlock()
	for _, o := range engines {
		if o.Name() == e.Name() {
			panic("fs: engine registered twice: " + e.Name())
		}
	}
	engines = append(engines, e)
}

// Engines returns the registered engines in registration order.
func Engines() []Engine {
	enginesMu.RLock()
	defer enginesMu.RUnlock()
	return append([]Engine(nil), engines...)
}

// ErrNoFilesystem is returned by Detect when no engine recognises a volume.
var ErrNoFilesystem = fmt.Errorf("no supported filesystem found")

// Detect returns the engine whose Probe recognises the volume.
func Detect(r io.ReaderAt, size int64) (Engine, error) {
	for _, e := range Engines() {
		if e.Probe(r, size) {
			return e, nil
		}
	}
	return nil, ErrNoFilesystem
}
