package engine

import (
	"context"
	"errors"
)

// run is replaced by the real flow once the image and guest layers land.
func run(ctx context.Context, j Job) (*Result, error) {
	return nil, errors.New("engine not wired yet")
}
