package dashboard

import (
	"html/template"
	"io/fs"
	"strconv"
	"strings"
	"time"
)

// funcs are the helpers templates may call.
var funcs = template.FuncMap{
	"ago": func(now, t time.Time) string {
		if t.IsZero() {
			return "-"
		}
		d := now.Sub(t).Round(time.Second)
		if d < 0 {
			return "in " + (-d).String()
		}
		return d.String() + " ago"
	},
	"clock": func(t time.Time) string {
		if t.IsZero() {
			return "-"
		}
		return t.Format("2006-01-02 15:04:05")
	},
	"percent":  percent,
	"bakeLeft": bakeLeft,
	"duration": duration,
	"num":      trimFloat,
	"revlink":  revisionLink,
	"envURL":   envURL,
	"esc":      esc,
	"diffLink": func(name, env string, a int) string {
		sep := "?"
		if env != "" {
			sep = "&"
		}
		return envURL("/services/"+esc(name)+"/revisions", env) + sep + "a=" + strconv.Itoa(a)
	},
	"role": func(u User) string { return u.Role },
	"can": func(u User, need string) bool { // whether to expect the API to allow it
		rank := map[string]int{"viewer": 1, "deployer": 2, "admin": 3}
		return rank[u.Role] >= rank[need]
	},
}

// parsePages parses each page with the layout and the shared partials.
// A template that does not parse is a bug caught by every test.
func parsePages() map[string]*template.Template {
	files, err := fs.Glob(templateFS, "templates/*.html")
	if err != nil {
		panic(err)
	}
	shared := []string{"templates/layout.html", "templates/partials.html"}
	out := map[string]*template.Template{}
	for _, f := range files {
		if f == shared[0] || f == shared[1] {
			continue
		}
		name := strings.TrimSuffix(strings.TrimPrefix(f, "templates/"), ".html")
		out[name] = template.Must(template.New(name).Funcs(funcs).ParseFS(templateFS, append(shared, f)...))
	}
	return out
}
