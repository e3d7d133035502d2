package audit

import (
	"bytes"
	"context"
	"io"
	"path/filepath"
	"testing"
)

func benchAppend(b *testing.B, cfg FileConfig) {
	cfg.Path = filepath.Join(b.TempDir(), "audit.jsonl")
	l, err := Open(Config{File: cfg}, Options{Host: "bench"})
	if err != nil {
		b.Fatal(err)
	}
	defer l.Close()
	e := readEntry(0)
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if _, _, err := l.Append(ctx, e); err != nil {
			b.Fatal(err)
		}
	}
	if _, err := l.Flush(ctx); err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "entries/s")
}

// BenchmarkAppendFsyncPerEntry: flock, append and fsync for every entry (the default).
func BenchmarkAppendFsyncPerEntry(b *testing.B) { benchAppend(b, FileConfig{}) }

// BenchmarkAppendBatched: flock and append per entry, fsync once per 64 entries.
func BenchmarkAppendBatched(b *testing.B) {
	benchAppend(b, FileConfig{Sync: SyncBatch, SyncEvery: 64})
}

// BenchmarkVerify reports verification speed in MB/s over a 100,000-entry log.
func BenchmarkVerify(b *testing.B) {
	log := buildLog(b, 100_000)
	b.SetBytes(int64(len(log)))
	for b.Loop() {
		if _, err := Verify(bytes.NewReader(log)); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkQueryTable renders the table for one secret over a 100,000-entry log.
func BenchmarkQueryTable(b *testing.B) {
	log := buildLog(b, 100_000)
	b.SetBytes(int64(len(log)))
	for b.Loop() {
		q := &Query{Log: bytes.NewReader(log), Size: int64(len(log)), Filter: Filter{Agent: "my-agent", Secret: "api-key"}}
		if _, err := WriteTable(io.Discard, q, TableOptions{}); err != nil {
			b.Fatal(err)
		}
	}
}
