package sqlite

import (
	"encoding/json"
	"fmt"

	"github.com/slipway-dev/slipway/store"
)

// codec turns a record of kind R into its stored document D and back;
// every data column is written and read through one.
type codec[R, D any] struct {
	kind string // the record's kind, for errors and golden files
	to   func(R) D
	from func(D) R
}

// The stored kinds: one codec per data column.
var (
	appCodec            = codec[store.App, appDoc]{"app", toAppDoc, fromAppDoc}
	serviceCodec        = codec[store.Service, serviceDoc]{"service", toServiceDoc, fromServiceDoc}
	revisionCodec       = codec[store.Revision, revisionDoc]{"revision", toRevisionDoc, fromRevisionDoc}
	instanceCodec       = codec[store.Instance, instanceDoc]{"instance", toInstanceDoc, fromInstanceDoc}
	operationCodec      = codec[store.Operation, operationDoc]{"operation", toOperationDoc, fromOperationDoc}
	eventCodec          = codec[store.Event, eventDoc]{"event", toEventDoc, fromEventDoc}
	flagConfigCodec     = codec[store.FlagConfig, flagConfigDoc]{"flag config", toFlagConfigDoc, fromFlagConfigDoc}
	versionCodec        = codec[store.Version, versionDoc]{"version", toVersionDoc, fromVersionDoc}
	promotionCodec      = codec[store.Promotion, promotionDoc]{"promotion", toPromotionDoc, fromPromotionDoc}
	environmentCodec    = codec[store.Environment, environmentDoc]{"environment", toEnvironmentDoc, fromEnvironmentDoc}
	tokenCodec          = codec[store.Token, tokenDoc]{"token", toTokenDoc, fromTokenDoc}
	secretCodec         = codec[store.Secret, secretDoc]{"secret", toSecretDoc, fromSecretDoc}
	configVersionCodec  = codec[store.ConfigVersion, configVersionDoc]{"config version", toConfigVersionDoc, fromConfigVersionDoc}
	configDeliveryCodec = codec[store.ConfigDelivery, configDeliveryDoc]{"config delivery", toConfigDeliveryDoc, fromConfigDeliveryDoc}
	sinkCursorCodec     = codec[store.SinkCursor, sinkCursorDoc]{"sink cursor", toSinkCursorDoc, fromSinkCursorDoc}
	linkUseCodec        = codec[store.LinkUse, linkUseDoc]{"link use", toLinkUseDoc, fromLinkUseDoc}
)

// encode returns r's stored document as JSON text.
func (c codec[R, D]) encode(r R) (string, error) {
	b, err := json.Marshal(c.to(r))
	if err != nil {
		return "", fmt.Errorf("encode %s: %w", c.kind, err)
	}
	return string(b), nil
}

// decode reads a stored document into its record, passing a lookup
// error through.
func (c codec[R, D]) decode(b []byte, err error) (R, error) {
	var d D
	if err != nil {
		var zero R
		return zero, err
	}
	if err := json.Unmarshal(b, &d); err != nil {
		var zero R
		return zero, fmt.Errorf("decode %s: %w", c.kind, err)
	}
	return c.from(d), nil
}

// decodeAll reads a list of stored documents, passing a query error
// through.
func (c codec[R, D]) decodeAll(docs [][]byte, err error) ([]R, error) {
	return decodeEach(docs, err, c.decode)
}

// decodeEach decodes every stored row with dec, in order, passing a
// query error through.
func decodeEach[S, R any](rows []S, err error, dec func(S, error) (R, error)) ([]R, error) {
	if err != nil {
		return nil, err
	}
	out := make([]R, 0, len(rows))
	for _, row := range rows {
		r, err := dec(row, nil)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, nil
}
