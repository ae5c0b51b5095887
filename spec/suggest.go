package spec

import (
	"fmt"
	"strings"
)

// suggest returns the candidate closest to word when it is close enough
// to be a likely typo (case differences are free), or "".
func suggest(word string, candidates []string) string {
	if len(word) > maxSuggestLen {
		return "" // nobody typos a 64-byte name; don't pay for it.
	}
	best, bestDist := "", len(word)/3+2
	lw := strings.ToLower(word)
	for _, c := range candidates {
		if abs(len(c)-len(word)) >= bestDist {
			continue
		}
		d := editDistance(lw, strings.ToLower(c))
		if d < bestDist {
			best, bestDist = c, d
		}
	}
	return best
}

// maxSuggestLen bounds the words suggest compares (edit distance is
// quadratic in their length).
const maxSuggestLen = 64

func abs(n int) int {
	if n < 0 {
		return -n
	}
	return n
}

// didYouMean formats a suggestion as ` (did you mean "x"?)`, or "".
func didYouMean(word string, candidates []string) string {
	if s := suggest(word, candidates); s != "" {
		return fmt.Sprintf(" (did you mean %q?)", s)
	}
	return ""
}

// editDistance is the Levenshtein distance between a and b, in bytes.
func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

// nameList joins names for a message, cut short past 20.
func nameList(names []string) string {
	if len(names) > 20 {
		return strings.Join(names[:20], ", ") + fmt.Sprintf(", ... (%d more)", len(names)-20)
	}
	return strings.Join(names, ", ")
}
