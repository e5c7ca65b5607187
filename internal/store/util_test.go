package store

import "os"

func readFile(p string) ([]byte, error) { return os.ReadFile(p) }

func readDir(p string) ([]os.DirEntry, error) { return os.ReadDir(p) }
