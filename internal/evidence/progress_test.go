package evidence

import (
	"fmt"
	"slices"
	"testing"
	"time"
)

// TestThrottle: within one interval only the first call and the calls that
// end a stage get through, in order.
func TestThrottle(t *testing.T) {
	var got []string
	p := Throttle(func(done, total int, stage string) {
		got = append(got, fmt.Sprintf("%s %d/%d", stage, done, total))
	}, time.Hour)
	for i := 1; i <= 5; i++ {
		p(i, 5, "artifacts")
	}
	p(3, 3, "events")
	p(1, 2, "report")
	p(2, 2, "report")
	want := []string{"artifacts 1/5", "artifacts 5/5", "events 3/3", "report 2/2"}
	if !slices.Equal(got, want) {
		t.Errorf("passed on %q, want %q", got, want)
	}
}
