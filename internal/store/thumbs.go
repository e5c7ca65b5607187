package store

import (
	"context"
	"crypto/rand"
	"database/sql"
	"errors"
	"fmt"

	"github.com/ringfence/ringfence/internal/thumb"
)

func thumbAAD(sha string) []byte { return []byte("ringfence-thumb-v1:" + sha) }

// screenshotOf picks the artifact a kit's report shows as the screenshot
// (thumb.IsScreenshot, else the first PNG), or -1.
func screenshotOf(arts []staged) int {
	first := -1
	for i, a := range arts {
		if thumb.IsScreenshot(a.info.Name, a.info.MIME) {
			return i
		}
		if first < 0 && a.info.MIME == "image/png" {
			first = i
		}
	}
	return first
}

// thumbLater makes and stores the thumbnail of a committed screenshot in the
// background: after the commit, so the acknowledgement never waits for a
// PNG decode, and once per blob. A failure only means an export decodes the
// PNG itself. pooled: png is a pool buffer, given back when done.
func (s *Store) thumbLater(sha string, png []byte, pooled bool) {
	s.thumbs.Add(1)
	go func() {
		defer s.thumbs.Done()
		if pooled {
			defer s.putBuf(png)
		}
		ctx := context.Background()
		var one int
		if s.db.QueryRowContext(ctx, `SELECT 1 FROM thumbnails WHERE sha256 = ?`, sha).Scan(&one) == nil {
			return
		}
		jpg, err := thumb.Make(png)
		if err != nil {
			return
		}
		aead, err := s.cipher(ctx)
		if err != nil {
			return
		}
		nonce := make([]byte, aead.NonceSize())
		if _, err := rand.Read(nonce); err != nil {
			return
		}
		data := aead.Seal(nil, nonce, jpg, thumbAAD(sha))
		_ = s.write(ctx, func(tx *sql.Tx) error {
			_, err := tx.ExecContext(ctx, `INSERT OR IGNORE INTO thumbnails (sha256, nonce, data) VALUES (?, ?, ?)`, sha, nonce, data)
			return err
		})
	}()
}

// Thumbnail returns the stored JPEG thumbnail of the screenshot blob sha,
// or ErrNotFound when none was made.
func (s *Store) Thumbnail(ctx context.Context, sha string) ([]byte, error) {
	var nonce, data []byte
	err := s.db.QueryRowContext(ctx, `SELECT nonce, data FROM thumbnails WHERE sha256 = ?`, sha).Scan(&nonce, &data)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("store: thumbnail of %s: %w", sha, ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("store: thumbnail of %s: %w", sha, classify(err))
	}
	aead, err := s.cipher(ctx)
	if err != nil {
		return nil, err
	}
	jpg, err := aead.Open(data[:0], nonce, data, thumbAAD(sha))
	if err != nil {
		return nil, fmt.Errorf("store: thumbnail of %s does not decrypt under this data key: %w", sha, err)
	}
	return jpg, nil
}
