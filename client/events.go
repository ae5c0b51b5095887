package client

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"

	"github.com/slipway-dev/slipway/api"
)

// maxEventSize bounds one server-sent event (all its data lines).
const maxEventSize = 4 << 20

// Events lists events after the sequence number after (0: from the
// start), for one service when service is not empty, at most limit of
// them when limit is above 0.
func (c *Client) Events(ctx context.Context, after int64, service string, limit int) ([]api.Event, error) {
	path := "/v1/events" + query(
		"after", positive(after),
		"service", service,
		"limit", positive(int64(limit)),
	)
	var evs []api.Event
	err := c.do(ctx, http.MethodGet, path, nil, &evs)
	return evs, err
}

// FollowEvents streams events after the sequence number after, calling fn
// for each in order, until ctx is done (it returns ctx.Err()), the server
// closes the stream (nil), or fn returns an error (that error).
func (c *Client) FollowEvents(ctx context.Context, after int64, service string, fn func(api.Event) error) error {
	path := "/v1/events" + query("follow", "true", "after", positive(after), "service", service)
	req, err := c.newRequest(ctx, http.MethodGet, path, nil)
	if err != nil {
		return err
	}
	req.Header.Set("Accept", "text/event-stream")
	resp, err := c.send(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	err = readEvents(resp.Body, func(data string) error {
		var ev api.Event
		if err := json.Unmarshal([]byte(data), &ev); err != nil {
			return fmt.Errorf("decode event %q: %w", data, err)
		}
		return fn(ev)
	})
	if err != nil && ctx.Err() != nil {
		return ctx.Err()
	}
	return err
}

// readEvents parses a text/event-stream and calls fn with the data of
// each event: its "data:" lines joined by newlines. Comment lines (":"
// keep-alives) and other fields (event, id, retry) are skipped; an event
// without data is not dispatched, nor is one cut off by the end of the
// stream.
func readEvents(r io.Reader, fn func(data string) error) error {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64<<10), maxEventSize)
	var data []string
	for sc.Scan() {
		line := strings.TrimSuffix(sc.Text(), "\r")
		if line == "" {
			if len(data) > 0 {
				if err := fn(strings.Join(data, "\n")); err != nil {
					return err
				}
			}
			data = data[:0]
			continue
		}
		if field, value := sseField(line); field == "data" {
			data = append(data, value)
		}
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("read event stream: %w", err)
	}
	return nil
}

// sseField splits an event-stream line into its field name and value; a
// comment line has the field name "".
func sseField(line string) (field, value string) {
	if strings.HasPrefix(line, ":") {
		return "", ""
	}
	field, value, _ = strings.Cut(line, ":")
	return field, strings.TrimPrefix(value, " ")
}

func positive(n int64) string {
	if n <= 0 {
		return ""
	}
	return strconv.FormatInt(n, 10)
}
