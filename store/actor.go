package store

import "context"

type actorKey struct{}

// WithActor returns ctx naming who makes the change a transaction run
// with it writes (token:NAME, uid:1000 (alice)): every event appended in
// an Update on ctx records it in Event.By, unless the writer set one.
// The API sets it from the request's credentials.
func WithActor(ctx context.Context, by string) context.Context {
	return context.WithValue(ctx, actorKey{}, by)
}

// ActorFrom returns the actor ctx names ("" for none: a controller's
// own pass).
func ActorFrom(ctx context.Context) string {
	by, _ := ctx.Value(actorKey{}).(string)
	return by
}
