package sqlite

import (
	"bytes"
	"encoding/json"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"
)

// kindCase is one stored kind with a fully populated record of it.
type kindCase struct {
	kind   string
	record any
	// stored is the record's stored document, as the store writes it.
	stored func() ([]byte, error)
	// roundTrip is the record read back from its stored document.
	roundTrip func() (any, error)
}

func caseOf[R, D any](c codec[R, D], r R) kindCase {
	return kindCase{
		kind:   c.kind,
		record: r,
		stored: func() ([]byte, error) {
			s, err := c.encode(r)
			return []byte(s), err
		},
		roundTrip: func() (any, error) {
			s, err := c.encode(r)
			if err != nil {
				return nil, err
			}
			return c.decode([]byte(s), nil)
		},
	}
}

// kinds is every stored kind, with a fully populated record.
func kinds() []kindCase {
	return []kindCase{
		caseOf(appCodec, fullApp()),
		caseOf(serviceCodec, fullService()),
		caseOf(revisionCodec, fullRevision()),
		caseOf(instanceCodec, fullInstance()),
		caseOf(operationCodec, fullOperation()),
		caseOf(eventCodec, fullEvent()),
		caseOf(flagConfigCodec, fullFlagConfig()),
		caseOf(versionCodec, fullVersion()),
		caseOf(promotionCodec, fullPromotion()),
		caseOf(tokenCodec, fullToken()),
		caseOf(secretCodec, fullSecret()),
		caseOf(configVersionCodec, fullConfigVersion()),
		caseOf(configDeliveryCodec, fullConfigDelivery()),
		caseOf(sinkCursorCodec, fullSinkCursor()),
		caseOf(linkUseCodec, fullLinkUse()),
	}
}

// TestStoredJSONIsTodaysFormat checks that each kind's stored document
// is, byte for byte, the JSON the store wrote before it had documents of
// its own (json.Marshal of the record): no migration was needed for
// them. When a domain type changes on purpose and its document does not,
// the two part: that kind's case then moves to the golden test alone.
func TestStoredJSONIsTodaysFormat(t *testing.T) {
	for _, k := range kinds() {
		want, err := json.Marshal(k.record)
		if err != nil {
			t.Fatalf("%s: marshal the record: %v", k.kind, err)
		}
		got, err := k.stored()
		if err != nil {
			t.Fatalf("%s: %v", k.kind, err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("%s: stored document differs from the record's JSON\n doc:    %s\n record: %s", k.kind, got, want)
		}
	}
}

// TestDocRoundTrip checks record -> document -> JSON -> document ->
// record gives the record back, for every kind.
func TestDocRoundTrip(t *testing.T) {
	for _, k := range kinds() {
		got, err := k.roundTrip()
		if err != nil {
			t.Fatalf("%s: %v", k.kind, err)
		}
		if !reflect.DeepEqual(got, k.record) {
			t.Errorf("%s: round trip\n got:  %#v\n want: %#v", k.kind, got, k.record)
		}
	}
}

// TestFullRecordsSetEveryField checks that the records the format tests
// use set every stored field somewhere (a field of a slice's elements in
// at least one element): a field added to a record, and not to the
// tests, fails here.
func TestFullRecordsSetEveryField(t *testing.T) {
	for _, k := range kinds() {
		v := reflect.ValueOf(k.record)
		all := map[string]bool{}
		fieldPaths(v.Type(), k.kind, all, 0)
		set := map[string]bool{}
		setPaths(v, k.kind, set)
		var unset []string
		for p := range all {
			if !set[p] {
				unset = append(unset, p)
			}
		}
		slices.Sort(unset)
		if len(unset) > 0 {
			t.Errorf("%s: the full record leaves these fields zero: set them in fullrecords_test.go\n  %s",
				k.kind, strings.Join(unset, "\n  "))
		}
	}
}

var timeType = reflect.TypeFor[time.Time]()

// leaf reports whether values of t are checked whole, not field by field.
func leaf(t reflect.Type) bool {
	return t == timeType || t.Kind() != reflect.Struct
}

// fieldPaths adds the path of every stored field reachable from t.
func fieldPaths(t reflect.Type, path string, out map[string]bool, depth int) {
	out[path] = true
	if depth > 20 {
		return
	}
	switch t.Kind() {
	case reflect.Pointer:
		fieldPaths(t.Elem(), path, out, depth+1)
	case reflect.Slice, reflect.Map:
		if t.Elem().Kind() != reflect.Uint8 { // json.RawMessage and []byte are leaves
			fieldPaths(t.Elem(), path+"[]", out, depth+1)
		}
	case reflect.Struct:
		if leaf(t) {
			return
		}
		for f := range storedFields(t) {
			fieldPaths(f.Type, path+"."+f.Name, out, depth+1)
		}
	}
}

// setPaths adds the path of every field of v that is not zero.
func setPaths(v reflect.Value, path string, out map[string]bool) {
	if !v.IsValid() || v.IsZero() {
		return
	}
	out[path] = true
	switch v.Kind() {
	case reflect.Pointer:
		setPaths(v.Elem(), path, out)
	case reflect.Slice:
		if v.Type().Elem().Kind() != reflect.Uint8 {
			for i := range v.Len() {
				setPaths(v.Index(i), path+"[]", out)
			}
		}
	case reflect.Map:
		for it := v.MapRange(); it.Next(); {
			setPaths(it.Value(), path+"[]", out)
		}
	case reflect.Struct:
		if leaf(v.Type()) {
			return
		}
		for f := range storedFields(v.Type()) {
			setPaths(v.FieldByIndex(f.Index), path+"."+f.Name, out)
		}
	}
}

// storedFields yields t's exported fields that JSON encodes.
func storedFields(t reflect.Type) func(func(reflect.StructField) bool) {
	return func(yield func(reflect.StructField) bool) {
		for i := range t.NumField() {
			f := t.Field(i)
			if !f.IsExported() || f.Tag.Get("json") == "-" {
				continue
			}
			if !yield(f) {
				return
			}
		}
	}
}
