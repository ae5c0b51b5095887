package ofreptest

// FlagsYAML is the `flags:` section of a slipway.yaml that serves what
// Run expects from the real engine (the flags listed in the package doc;
// the engine cannot produce the cases in EngineSkips).
const FlagsYAML = `flags:
  bool-flag:
    class: release
    type: boolean
    variants: {on: true, off: false}
    default: on
    owner: payments-team
  string-flag:
    class: release
    type: string
    variants: {greeting: hello}
    default: greeting
  int-flag:
    class: operational
    type: integer
    variants: {answer: 42}
    default: answer
    off: answer
  float-flag:
    class: operational
    type: float
    variants: {pi-ish: 3.25}
    default: pi-ish
    off: pi-ish
  object-flag:
    class: permission
    type: object
    variants: {red: {color: red, size: 3}}
    default: red
  targeted:
    class: release
    type: boolean
    default: off
    rules:
      - if: 'ctx.country == "NL"'
        serve: on
  split:
    class: experiment
    type: string
    variants: {blue: blue, green: green}
    default: green
    rollout: {blue: 50, green: 50}
  disabled:
    class: release
    type: boolean
    enabled: false
    default: off
`

// EngineSkips are the cases a compiled flag set cannot produce: a flag
// that compiled evaluates without PARSE_ERROR, INVALID_CONTEXT, GENERAL
// or a type mismatch of its own.
var EngineSkips = []string{"PARSE_ERROR", "INVALID_CONTEXT", "GENERAL", "server TYPE_MISMATCH"}
