// Package jsonesc reads the escapes of JSON string literals (RFC 8259,
// section 7) for the hand-written decoders that skip encoding/json where it
// is too slow: the host's chunk fast path and the store's list writer. Each
// decides for itself what to do with what is not an escape (control
// characters, invalid UTF-8), which is where they differ.
package jsonesc

// Simple returns the byte that a backslash followed by c stands for, for
// the two-character escapes \" \\ \/ \b \f \n \r \t; ok is false for any
// other c, \u included.
func Simple(c byte) (b byte, ok bool) {
	switch c {
	case '"', '\\', '/':
		return c, true
	case 'b':
		return '\b', true
	case 'f':
		return '\f', true
	case 'n':
		return '\n', true
	case 'r':
		return '\r', true
	case 't':
		return '\t', true
	}
	return 0, false
}

// Hex4 reads the four hex digits that follow \u; ok is false when b is
// shorter or holds anything else.
func Hex4(b []byte) (r rune, ok bool) {
	if len(b) < 4 {
		return 0, false
	}
	for _, c := range b[:4] {
		var v byte
		switch {
		case '0' <= c && c <= '9':
			v = c - '0'
		case 'a' <= c && c <= 'f':
			v = c - 'a' + 10
		case 'A' <= c && c <= 'F':
			v = c - 'A' + 10
		default:
			return 0, false
		}
		r = r<<4 | rune(v)
	}
	return r, true
}
