package fsutil

import (
	"os"
	"path/filepath"
	"testing"
)

func TestWriteFileReplacesAtomicallyWithMode(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "out.env")
	if err := os.WriteFile(p, []byte("old"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := WriteFile(p, []byte("new"), 0o600); err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(p)
	if err != nil || string(got) != "new" {
		t.Fatalf("content = %q, %v", got, err)
	}
	fi, _ := os.Stat(p)
	if fi.Mode().Perm() != 0o600 {
		t.Fatalf("mode = %v, want 0600", fi.Mode().Perm())
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Fatalf("temp files left behind: %v", entries)
	}
}

func TestWriteFileFailureLeavesOldFile(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "sub", "missing-dir", "f")
	if err := WriteFile(p, []byte("x"), 0o600); err == nil {
		t.Fatal("want error writing into a missing directory")
	}
}

func TestWriteFilesWritesEveryFileAndReportsTheFirstFailure(t *testing.T) {
	dir := t.TempDir()
	var files []File
	for i := range 50 {
		files = append(files, File{Path: filepath.Join(dir, "d"+string(rune('a'+i%3)), string(rune('A'+i))), Data: []byte{byte(i)}, Perm: 0o640})
	}
	for _, d := range []string{"da", "db", "dc"} {
		if err := os.Mkdir(filepath.Join(dir, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if err := WriteFiles(files, 4); err != nil {
		t.Fatal(err)
	}
	for i, f := range files {
		got, err := os.ReadFile(f.Path)
		fi, _ := os.Stat(f.Path)
		if err != nil || len(got) != 1 || got[0] != byte(i) || fi.Mode().Perm() != 0o640 {
			t.Fatalf("%s: %v %v %v", f.Path, got, err, fi.Mode())
		}
	}
	bad := append(files[:2:2], File{Path: filepath.Join(dir, "missing", "x"), Data: []byte("x"), Perm: 0o600})
	if err := WriteFiles(bad, 2); err == nil {
		t.Fatal("want an error writing into a missing directory")
	}
	for _, d := range []string{"da", "db", "dc"} {
		entries, _ := os.ReadDir(filepath.Join(dir, d))
		for _, e := range entries {
			if filepath.Ext(e.Name()) == ".tmp" {
				t.Errorf("temp file left: %s", e.Name())
			}
		}
	}
}
