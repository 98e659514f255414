package image

import (
	"bytes"
	"context"
	"sync"
)

// batch is a run of consecutive clusters that may hold data, on its way
// through the pipeline: read in one ReadAt, then checked and compressed
// cluster by cluster. Batching keeps channel traffic and reads per
// megabyte, not per cluster.
type batch struct {
	seq   int64
	first int64 // index of the first cluster
	count int
	buf   []byte // count clusters, as read
	cbuf  []byte // compressed clusters, back to back
	outs  []clusterOut
	err   error
}

// clusterOut says what to store for one cluster of a batch.
type clusterOut struct {
	store      bool // false: all zeros, store nothing
	compressed bool // the data is cbuf[off:off+n]
	off, n     int
}

// batchBytes is the size of a batch's read buffer (at least one cluster).
const batchBytes = 1 << 20

// run reads src, drops discarded bytes and zero clusters, compresses with
// c.workers goroutines and hands results to w in order. At most
// 2*workers+2 batches are in flight.
func (c *exportConfig) run(ctx context.Context, src Image, w clusterWriter) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	per := max(1, int(batchBytes/c.cluster))
	inflight := 2*c.workers + 2
	free := make(chan *batch, inflight)
	for range inflight {
		free <- &batch{buf: make([]byte, per*int(c.cluster)), outs: make([]clusterOut, per)}
	}
	jobs := make(chan *batch, inflight)
	results := make(chan *batch, inflight)
	var perr error
	go func() {
		defer close(jobs)
		perr = c.produce(ctx, src, per, free, jobs)
	}()
	var wg sync.WaitGroup
	for range c.workers {
		wg.Go(func() {
			var comp *compressor
			var err error
			if c.compression != "" {
				comp, err = newCompressor(c.compression)
			}
			zero := make([]byte, c.cluster)
			for b := range jobs {
				if b.err = err; err == nil {
					c.work(src, b, comp, zero)
				}
				results <- b
			}
		})
	}
	go func() { wg.Wait(); close(results) }()

	// Writer: reorder by seq, write, recycle batches.
	pending := map[int64]*batch{}
	var next int64
	var werr error
	total := c.vsize
	var lastReport int64 = -1
	report := func(done int64) {
		if c.progress != nil && (done-lastReport >= 16<<20 || done == total) && done != lastReport {
			c.progress(done, total)
			lastReport = done
		}
	}
	report(0)
	for b := range results {
		pending[b.seq] = b
		for {
			b, ok := pending[next]
			if !ok {
				break
			}
			delete(pending, next)
			next++
			if werr == nil {
				werr = b.err
				if werr == nil {
					werr = c.store(w, b)
				}
				if werr != nil {
					cancel()
				} else {
					report(min((b.first+int64(b.count))*c.cluster, total))
				}
			}
			free <- b
		}
	}
	if werr != nil {
		return werr
	}
	if perr != nil {
		return perr
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	report(total)
	return nil
}

// store hands a batch's clusters to the writer.
func (c *exportConfig) store(w clusterWriter, b *batch) error {
	cs := int(c.cluster)
	for i, o := range b.outs[:b.count] {
		if !o.store {
			continue
		}
		data := b.buf[i*cs : i*cs+o.n]
		if o.compressed {
			data = b.cbuf[o.off : o.off+o.n]
		}
		if err := w.put(b.first+int64(i), data, o.compressed); err != nil {
			return err
		}
	}
	return nil
}

// produce sends batches of the clusters that may hold data: it skips what
// the source's Mapper reports as holes and what the discards cover
// entirely.
func (c *exportConfig) produce(ctx context.Context, src Image, per int, free chan *batch, jobs chan<- *batch) error {
	mp, _ := src.(Mapper)
	var extEnd int64
	var extData bool
	n := (c.srcSize + c.cluster - 1) / c.cluster
	var seq int64
	var cur *batch
	send := func() {
		if cur != nil {
			jobs <- cur
			cur = nil
		}
	}
	defer send()
	for idx := int64(0); idx < n; {
		start, end := idx*c.cluster, min((idx+1)*c.cluster, c.srcSize)
		if all, dend := c.discard.covers(start, end); all {
			idx = max(idx+1, dend/c.cluster)
			continue
		}
		if mp != nil {
			data := false
			for pos := start; pos < end && !data; pos = extEnd {
				if pos >= extEnd {
					d, l, err := mp.DataExtent(pos)
					if err != nil {
						return err
					}
					extEnd, extData = pos+max(l, 1), d
				}
				data = extData
			}
			if !data {
				idx = max(idx+1, extEnd/c.cluster)
				continue
			}
		}
		if cur != nil && (cur.first+int64(cur.count) != idx || cur.count == per) {
			send()
		}
		if cur == nil {
			select {
			case cur = <-free:
			case <-ctx.Done():
				return ctx.Err()
			}
			cur.seq, cur.first, cur.count, cur.err = seq, idx, 0, nil
			seq++
		}
		cur.count++
		idx++
	}
	return nil
}

// work reads a batch, clears discarded bytes and decides, cluster by
// cluster, what to store.
func (c *exportConfig) work(src Image, b *batch, comp *compressor, zero []byte) {
	cs := int(c.cluster)
	start := b.first * c.cluster
	n := int(min(int64(b.count)*c.cluster, c.srcSize-start))
	if _, err := src.ReadAt(b.buf[:n], start); err != nil {
		b.err = err
		return
	}
	c.discard.zero(b.buf[:n], start)
	b.cbuf = b.cbuf[:0]
	for i := range b.count {
		o := &b.outs[i]
		*o = clusterOut{}
		k := min(cs, n-i*cs) // a last partial cluster is shorter
		data := b.buf[i*cs : i*cs+k]
		if bytes.Equal(data, zero[:k]) {
			continue
		}
		o.store, o.n = true, k
		if c.format == FormatRaw {
			continue
		}
		clear(b.buf[i*cs+k : (i+1)*cs]) // qcow2 stores whole clusters
		o.n = cs
		if comp == nil {
			continue
		}
		out, err := comp.compress(b.buf[i*cs : (i+1)*cs])
		if err != nil {
			b.err = err
			return
		}
		if len(out) < cs-512 { // else store it as is, as qemu does
			o.compressed, o.off, o.n = true, len(b.cbuf), len(out)
			b.cbuf = append(b.cbuf, out...)
		}
	}
}
