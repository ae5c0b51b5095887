package main

import "time"

// pollInterval is how often every wait that is measured looks again.
const pollInterval = 5 * time.Millisecond
