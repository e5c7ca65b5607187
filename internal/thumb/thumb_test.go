package thumb

import (
	"image"
	"image/color"
	"math/rand/v2"
	"testing"
)

// scaleDownPerPixel is scaleDown as it was: one pixel() call per source
// pixel.
func scaleDownPerPixel(src image.Image, w int) *image.RGBA {
	b := src.Bounds()
	sw, sh := b.Dx(), b.Dy()
	h := max(1, sh*w/sw)
	dst := image.NewRGBA(image.Rect(0, 0, w, h))
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

// TestScaleDownFastPathsMatchGeneric: the direct loops over NRGBA and RGBA
// pixels give exactly what one pixel() call per pixel gave, transparency
// and sub-images included.
func TestScaleDownFastPathsMatchGeneric(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for _, size := range [][2]int{{1280, 800}, {1001, 333}, {641, 5000}} {
		n := image.NewNRGBA(image.Rect(0, 0, size[0], size[1]))
		r := image.NewRGBA(image.Rect(0, 0, size[0], size[1]))
		for i := range n.Pix {
			n.Pix[i] = byte(rng.Uint32())
		}
		for y := 0; y < size[1]; y++ {
			for x := 0; x < size[0]; x++ {
				r.Set(x, y, n.NRGBAAt(x, y))
			}
		}
		for name, img := range map[string]image.Image{"nrgba": n, "rgba": r, "sub": n.SubImage(image.Rect(7, 9, size[0]-3, size[1]-1))} {
			fast := scaleDown(img, thumbWidth).(*image.RGBA)
			slow := scaleDownPerPixel(img, thumbWidth)
			if fast.Rect != slow.Rect {
				t.Fatalf("%s %v: %v vs %v", name, size, fast.Rect, slow.Rect)
			}
			for i := range fast.Pix {
				if fast.Pix[i] != slow.Pix[i] {
					t.Fatalf("%s %v: byte %d is %d, the generic path says %d", name, size, i, fast.Pix[i], slow.Pix[i])
				}
			}
		}
	}
}
