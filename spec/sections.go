package spec

// An app spec has two parts that an apply converges separately: the
// services (with the environments they are promoted through) and the
// feature flags (flags and the segments their rules share). An apply
// owns the parts its file has, and leaves the others as they are: a
// file with services: makes its services the app's (a service missing
// from it is removed), a file with flags: or segments: makes its flags
// and segments the served ones (a flag missing from it is removed). So
// a team may keep its flags in a file of their own: applying it never
// removes a service, and applying the services' file never removes a
// flag.

// HasServices reports whether the spec has a services: section: an
// apply of it owns the app's services.
func (a *App) HasServices() bool {
	return len(a.Services) > 0 || a.index.has("services")
}

// HasFlags reports whether the spec has a flags: or segments: section:
// an apply of it owns the app's flags and segments (they go together:
// flags' rules name segments).
func (a *App) HasFlags() bool {
	return len(a.Flags) > 0 || len(a.Segments) > 0 || a.index.has("flags") || a.index.has("segments")
}
