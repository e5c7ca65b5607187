// Package thumb makes the JPEG thumbnails of screenshots that evidence kits
// show: the store makes one in the background after a snapshot is
// committed, and an export of a snapshot stored before that makes its own.
package thumb

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"strings"
)

const (
	thumbWidth = 320
	// maxThumbPixels bounds the decoded source image (≈ 48 MB as RGBA), so a
	// huge full-page screenshot cannot blow the export's memory budget.
	maxThumbPixels = 12_000_000
)

// IsScreenshot says whether an artifact is the screenshot a kit's report
// shows (when a snapshot has none, the first PNG stands in).
func IsScreenshot(name, mime string) bool {
	return mime == "image/png" && (strings.Contains(name, "screenshot") || strings.Contains(name, "visible"))
}

// Make decodes a PNG and returns a JPEG about thumbWidth wide.
func Make(pngBytes []byte) ([]byte, error) {
	cfg, err := png.DecodeConfig(bytes.NewReader(pngBytes))
	if err != nil {
		return nil, fmt.Errorf("read PNG header: %w", err)
	}
	if cfg.Width <= 0 || cfg.Height <= 0 || cfg.Width*cfg.Height > maxThumbPixels {
		return nil, fmt.Errorf("PNG is %dx%d, too large for a thumbnail", cfg.Width, cfg.Height)
	}
	src, err := png.Decode(bytes.NewReader(pngBytes))
	if err != nil {
		return nil, fmt.Errorf("decode PNG: %w", err)
	}
	dst := scaleDown(src, thumbWidth)
	var out bytes.Buffer
	if err := jpeg.Encode(&out, dst, &jpeg.Options{Quality: 80}); err != nil {
		return nil, fmt.Errorf("encode thumbnail: %w", err)
	}
	return out.Bytes(), nil
}

// scaleDown box-filters src to width w (never up), averaging each block of
// source pixels so text stays legible instead of aliasing.
func scaleDown(src image.Image, w int) image.Image {
	b := src.Bounds()
	sw, sh := b.Dx(), b.Dy()
	if sw <= w {
		return src
	}
	h := max(1, sh*w/sw)
	dst := image.NewRGBA(image.Rect(0, 0, w, h))
	// The decoder's own types are read straight from their pixel slices:
	// a call through image.Image per source pixel was most of the cost.
	switch t := src.(type) {
	case *image.NRGBA:
		boxScale(t.Pix[t.PixOffset(b.Min.X, b.Min.Y):], t.Stride, sw, sh, dst, false)
		return dst
	case *image.RGBA:
		boxScale(t.Pix[t.PixOffset(b.Min.X, b.Min.Y):], t.Stride, sw, sh, dst, true)
		return dst
	}
	for y := 0; y < h; y++ {
		y0, y1 := b.Min.Y+y*sh/h, b.Min.Y+(y+1)*sh/h
		for x := 0; x < w; x++ {
			x0, x1 := b.Min.X+x*sw/w, b.Min.X+(x+1)*sw/w
			var r, g, bl, n uint64
			for sy := y0; sy < max(y1, y0+1); sy++ {
				for sx := x0; sx < max(x1, x0+1); sx++ {
					cr, cg, cb, _ := pixel(src, sx, sy)
					r, g, bl, n = r+uint64(cr), g+uint64(cg), bl+uint64(cb), n+1
				}
			}
			dst.SetRGBA(x, y, color.RGBA{uint8(r / n), uint8(g / n), uint8(bl / n), 255})
		}
	}
	return dst
}

// boxScale is scaleDown's loop over 8-bit RGBA rows (pix starts at the
// source's top-left pixel), composited onto white as pixel does:
// premultiplied (image.RGBA) or not (image.NRGBA).
func boxScale(pix []byte, stride, sw, sh int, dst *image.RGBA, premul bool) {
	w, h := dst.Rect.Dx(), dst.Rect.Dy()
	for y := 0; y < h; y++ {
		y0 := y * sh / h
		y1 := max((y+1)*sh/h, y0+1)
		out := dst.Pix[y*dst.Stride:]
		for x := 0; x < w; x++ {
			x0 := x * sw / w
			x1 := max((x+1)*sw/w, x0+1)
			var r, g, bl, n uint64
			for sy := y0; sy < y1; sy++ {
				row := pix[sy*stride+x0*4 : sy*stride+x1*4]
				for i := 0; i+3 < len(row); i += 4 {
					a := row[i+3]
					if premul {
						r += uint64(row[i] + (255 - a))
						g += uint64(row[i+1] + (255 - a))
						bl += uint64(row[i+2] + (255 - a))
					} else {
						a16 := uint16(a)
						r += uint64(blend(row[i], a16))
						g += uint64(blend(row[i+1], a16))
						bl += uint64(blend(row[i+2], a16))
					}
					n++
				}
			}
			out[x*4], out[x*4+1], out[x*4+2], out[x*4+3] = uint8(r/n), uint8(g/n), uint8(bl/n), 255
		}
	}
}

// pixel reads 8-bit RGB quickly for the decoder's common types (white-backed
// for transparency) and falls back to At for the rest.
func pixel(img image.Image, x, y int) (r, g, b, a uint8) {
	switch t := img.(type) {
	case *image.RGBA:
		i := t.PixOffset(x, y)
		p := t.Pix[i : i+4 : i+4]
		// Premultiplied: adding the missing alpha composites onto white.
		return p[0] + (255 - p[3]), p[1] + (255 - p[3]), p[2] + (255 - p[3]), 255
	case *image.NRGBA:
		i := t.PixOffset(x, y)
		p := t.Pix[i : i+4 : i+4]
		a := uint16(p[3])
		return blend(p[0], a), blend(p[1], a), blend(p[2], a), 255
	}
	c := color.RGBAModel.Convert(img.At(x, y)).(color.RGBA)
	return c.R + (255 - c.A), c.G + (255 - c.A), c.B + (255 - c.A), 255
}

func blend(c uint8, a uint16) uint8 { return uint8((uint16(c)*a + 255*(255-a)) / 255) }
