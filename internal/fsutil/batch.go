package fsutil

import (
	"os"
	"path/filepath"
	"slices"
	"sync"
)

// File is one file for WriteFiles.
type File struct {
	Path string
	Data []byte
	Perm os.FileMode
}

// WriteFiles replaces each file atomically exactly as WriteFile does (temporary file in
// the same directory, fsync, rename), up to workers at a time, then fsyncs each directory
// once: bulk writes of many small files overlap their fsyncs instead of paying two in a
// row per file. On failure it returns the error of the first failing file in input order;
// every other file is either its old or its new version, never torn.
func WriteFiles(files []File, workers int) error {
	errs := make([]error, len(files))
	next := make(chan int)
	var wg sync.WaitGroup
	for range max(1, min(workers, len(files))) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				errs[i] = replace(files[i].Path, files[i].Data, files[i].Perm)
			}
		}()
	}
	for i := range files {
		next <- i
	}
	close(next)
	wg.Wait()
	var dirs []string
	for _, f := range files {
		dirs = append(dirs, filepath.Dir(f.Path))
	}
	slices.Sort(dirs)
	for _, d := range slices.Compact(dirs) {
		if err := SyncDir(d); err != nil {
			return err
		}
	}
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}
