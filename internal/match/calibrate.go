package match

import "math"

// Scores is a histogram of the pairs a registry's review queue has seen, in
// bins of a thousandth of probability: the pairs still open, and those a
// person decided were the same person or two people. It is what the
// thresholds are calibrated from; it holds no personal data.
type Scores struct {
	Open, Same, Different [1001]int
}

// Add counts one pair. decided is false for an open pair; same tells a
// decided pair's outcome.
func (h *Scores) Add(score float64, decided, same bool) {
	b := scoreBin(score)
	switch {
	case !decided:
		h.Open[b]++
	case same:
		h.Same[b]++
	default:
		h.Different[b]++
	}
}

// scoreBin is the bin of a score in a histogram of thousandths.
func scoreBin(score float64) int { return int(math.Round(math.Min(math.Max(score, 0), 1) * 1000)) }

// Calibration is a registry's thresholds, set from its own decisions and
// score distribution, and how they were reached.
type Calibration struct {
	MatchThreshold    float64 `json:"match_threshold"`
	PossibleThreshold float64 `json:"possible_threshold"`
	// Budget is how many open pairs the queue shows at most: one per
	// PeoplePerPair people (at least MinBudget).
	Budget int `json:"budget"`
	// Open is the number of open pairs; Queued of them are at or above
	// PossibleThreshold and shown; the rest are held back.
	Open   int `json:"open"`
	Queued int `json:"queued"`
	// Decided and Confirmed count the pairs people have decided, and of
	// those, the ones confirmed as the same person.
	Decided   int `json:"decided"`
	Confirmed int `json:"confirmed"`
	// Reasons are message keys (match.calibration.*) saying what moved the
	// thresholds from the model's defaults.
	Reasons []string `json:"reasons,omitempty"`
}

// Calibration rules. A match threshold is lowered only where decisions show
// that the pairs above it were nearly all duplicates, and raised where they
// were not; a band of possible matches that people almost always rejected
// leaves the queue; and when the queue would still hold more than one pair
// per PeoplePerPair people, only the most likely pairs are shown.
const (
	PeoplePerPair      = 200
	MinBudget          = 25
	minDecided         = 20   // decisions needed before they count
	matchPrecision     = 0.98 // share of confirmed pairs above the match threshold
	possiblePrecision  = 0.05 // a band below this share of confirmed pairs leaves the queue
	lowestMatch        = 0.80
	highestPossibleCap = 0.89 // the possible threshold never reaches the match threshold
)

var matchGrid = []float64{0.80, 0.85, 0.90, 0.95, 0.98, 0.99, 0.995, 0.999}

// Calibrate returns thresholds for a registry of people records whose
// queue has seen h, starting from the model's thresholds m.
func Calibrate(m *Model, people int, h *Scores) Calibration {
	c := Calibration{MatchThreshold: m.MatchThreshold, PossibleThreshold: m.PossibleThreshold,
		Budget: max(people/PeoplePerPair, MinBudget)}
	for b := range h.Open {
		c.Open += h.Open[b]
		c.Decided += h.Same[b] + h.Different[b]
		c.Confirmed += h.Same[b]
	}
	// above returns decided and confirmed pairs with a score of at least t.
	above := func(t float64) (n, same int) {
		for b := int(math.Round(t * 1000)); b <= 1000; b++ {
			n += h.Same[b] + h.Different[b]
			same += h.Same[b]
		}
		return n, same
	}
	if c.Decided < minDecided {
		// Without decisions to go by, the pairs' own scores: each is the
		// model's probability that the pair is one person.
		if t := ScoreThreshold(&h.Open, c.MatchThreshold); t > 0 {
			c.MatchThreshold = t
			c.Reasons = append(c.Reasons, "match.calibration.match_scores")
		}
	}
	if c.Decided >= minDecided {
		// The lowest threshold whose decided pairs were nearly all the same
		// person; if none qualifies, the highest.
		// Lowering needs decisions in the band it adds to the matches.
		best := -1.0
		for i, t := range matchGrid {
			n, same := above(t)
			if n < minDecided || float64(same) < matchPrecision*float64(n) {
				continue
			}
			if t < c.MatchThreshold && i+1 < len(matchGrid) {
				// The grid step just above t must hold decisions of its own.
				if nb, _ := above(matchGrid[i+1]); n-nb < minDecided/2 {
					continue
				}
			}
			best = t
			break
		}
		if best < 0 {
			if n, _ := above(c.MatchThreshold); n >= minDecided {
				best = matchGrid[len(matchGrid)-1]
			}
		}
		if best > 0 && best != c.MatchThreshold {
			if best < c.MatchThreshold {
				c.Reasons = append(c.Reasons, "match.calibration.match_lowered")
			} else {
				c.Reasons = append(c.Reasons, "match.calibration.match_raised")
			}
			c.MatchThreshold = math.Max(best, lowestMatch)
		}
		// Bands of 0.1 from the possible threshold up: a band people
		// almost always rejected moves the threshold above it.
		for lo := c.PossibleThreshold; lo+0.1 <= c.MatchThreshold; lo += 0.1 {
			var n, same int
			for b := int(math.Round(lo * 1000)); b < int(math.Round((lo+0.1)*1000)); b++ {
				n += h.Same[b] + h.Different[b]
				same += h.Same[b]
			}
			if n < minDecided || float64(same) >= possiblePrecision*float64(n) {
				break
			}
			c.PossibleThreshold = math.Min(lo+0.1, highestPossibleCap)
			if len(c.Reasons) == 0 || c.Reasons[len(c.Reasons)-1] != "match.calibration.possible_rejected" {
				c.Reasons = append(c.Reasons, "match.calibration.possible_rejected")
			}
		}
	}
	// The budget: count open pairs from the top down; the threshold stops
	// where the queue is full (matches always stay in it).
	// Bin b holds scores in [b−½, b+½) thousandths; the threshold is the
	// lower edge of the last bin that fits.
	queued, last, full := 0, -1, false
	for b := 1000; b >= 0; b-- {
		t := float64(b) / 1000
		if t < c.PossibleThreshold {
			break
		}
		if t < c.MatchThreshold && queued+h.Open[b] > c.Budget {
			full = true
			break
		}
		queued += h.Open[b]
		if h.Open[b] > 0 && t < c.MatchThreshold {
			last = b
		}
	}
	if full {
		c.PossibleThreshold = c.MatchThreshold
		if last >= 0 {
			c.PossibleThreshold = (float64(last) - 0.5) / 1000
		}
		c.Reasons = append(c.Reasons, "match.calibration.budget")
	}
	c.Queued = queued
	return c
}

// ScoreThreshold returns the lowest match threshold on the grid, from
// lowestMatch up to below current, at which the pairs of hist (a histogram
// of scores in thousandths, as Scores holds them) at or above it would be
// the same person at least matchPrecision of the time by their own
// scores: the mean match probability of the pairs a threshold makes
// matches is the share of them expected to be right. It needs minDecided
// pairs at or above the threshold, never raises one (scores cannot show
// that the model is overconfident; decisions can, see Calibrate) and
// returns 0 when no lower threshold qualifies.
//
// A registry of distinct people has no pairs near the top and keeps its
// threshold; a collection with many duplicates whose scores leave no
// doubt lowers it to the grid step where the pairs just above it, each
// likely but not certain, would bring the expected share of wrong
// matches over 1 − matchPrecision.
func ScoreThreshold(hist *[1001]int, current float64) float64 {
	for _, t := range matchGrid {
		if t < lowestMatch || t >= current {
			continue
		}
		n, sum := 0, 0.0
		for b := int(math.Round(t * 1000)); b <= 1000; b++ {
			n += hist[b]
			sum += float64(b) / 1000 * float64(hist[b])
		}
		if n >= minDecided && sum >= matchPrecision*float64(n) {
			return t
		}
	}
	return 0
}
