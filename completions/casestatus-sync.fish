# Print an optspec for argparse to handle cmd's options that are independent of any subcommand.
function __fish_casestatus_sync_global_optspecs
    string join \n config= json q/quiet v/verbose trace= api-key-file= h/help V/version
end

function __fish_casestatus_sync_needs_command
    # Figure out if the current invocation already has a command.
    set -l cmd (commandline -opc)
    set -e cmd[1]
    argparse -s (__fish_casestatus_sync_global_optspecs) -- $cmd 2>/dev/null
    or return
    if set -q argv[1]
        # Also print the command, so this can be used to figure out what it is.
        echo $argv[1]
        return 1
    end
    return 0
end

function __fish_casestatus_sync_using_subcommand
    set -l cmd (__fish_casestatus_sync_needs_command)
    test -z "$cmd"
    and return 1
    contains -- $cmd[1] $argv
end

complete -c casestatus-sync -n "__fish_casestatus_sync_needs_command" -l config -d 'Config file (default: $CASESTATUS_SYNC_CONFIG, else ./casestatus-sync.toml)' -r -F
complete -c casestatus-sync -n "__fish_casestatus_sync_needs_command" -l trace -d 'Write every HTTP exchange with CaseStatus to FILE as a HAR archive (mode 0600; holds client data; the key reads REDACTED)' -r -F
complete -c casestatus-sync -n "__fish_casestatus_sync_needs_command" -l api-key-file -d 'Read the CaseStatus API key from FILE (mode 0600/0400/0640/0440) instead of casestatus.api_key_file or the saved key: admin commands with a service\'s key' -r -F
complete -c casestatus-sync -n "__fish_casestatus_sync_needs_command" -l json -d 'Print one JSON document on stdout instead of tables (one line when piped)'
complete -c casestatus-sync -n "__fish_casestatus_sync_needs_command" -s q -l quiet -d 'Print nothing on success'
complete -c casestatus-sync -n "__fish_casestatus_sync_needs_command" -s v -l verbose -d 'Print more detail on stderr (-vv is accepted)'
complete -c casestatus-sync -n "__fish_casestatus_sync_needs_command" -s h -l help -d 'Print help'
complete -c casestatus-sync -n "__fish_casestatus_sync_needs_command" -s V -l version -d 'Print version'
complete -c casestatus-sync -n "__fish_casestatus_sync_needs_command" -f -a "demo" -d 'Try everything on a sample firm: writes it to a new folder, runs a local sandbox, sets up and syncs'
complete -c casestatus-sync -n "__fish_casestatus_sync_needs_command" -f -a "init" -d 'Write a commented config file for this firm (asks on a terminal for what is not given)'
complete -c casestatus-sync -n "__fish_casestatus_sync_needs_command" -f -a "setup" -d 'The settings page as a guided walk on a terminal: key, statuses, mappings, event types, cron line'
complete -c casestatus-sync -n "__fish_casestatus_sync_needs_command" -f -a "connect" -d 'Add (or replace) the CaseStatus API key, after testing it'
complete -c casestatus-sync -n "__fish_casestatus_sync_needs_command" -f -a "test" -d 'Test Connection: check the key and count the matters eligible now'
complete -c casestatus-sync -n "__fish_casestatus_sync_needs_command" -f -a "disconnect" -d 'Remove API Key: stop all syncing (the record of what was pushed is kept)'
complete -c casestatus-sync -n "__fish_casestatus_sync_needs_command" -f -a "synced-statuses" -d 'Show or change which matter statuses are synced (default Open)'
complete -c casestatus-sync -n "__fish_casestatus_sync_needs_command" -f -a "refetch-practice-areas" -d 'Pull practice areas and stages from CaseStatus; report what is new and what vanished'
complete -c casestatus-sync -n "__fish_casestatus_sync_needs_command" -f -a "map" -d 'Practice Area & Stage Mapping: show the overview, or map one item'
complete -c casestatus-sync -n "__fish_casestatus_sync_needs_command" -f -a "event-types" -d 'Appointment Sync — Event Types: list, enable or disable'
complete -c casestatus-sync -n "__fish_casestatus_sync_needs_command" -f -a "sync" -d 'Run one sync cycle'
complete -c casestatus-sync -n "__fish_casestatus_sync_needs_command" -f -a "why-skipped" -d 'Explain why a matter is or is not in CaseStatus'
complete -c casestatus-sync -n "__fish_casestatus_sync_needs_command" -f -a "log" -d 'Recent Activity: recent runs, or one run\'s details'
complete -c casestatus-sync -n "__fish_casestatus_sync_needs_command" -f -a "messages" -d 'Client messages the sync could not import: list them, or import or acknowledge one'
complete -c casestatus-sync -n "__fish_casestatus_sync_needs_command" -f -a "status" -d 'Health for monitoring: ok, stale, not_syncing, stuck or disconnected, and each sync kind\'s last run; exit 6 unless ok or disconnected'
complete -c casestatus-sync -n "__fish_casestatus_sync_needs_command" -f -a "metrics" -d 'This firm\'s state as Prometheus text (format 0.0.4): last runs and successes, records, skips, pending messages, the status state; read-only, no key needed'
complete -c casestatus-sync -n "__fish_casestatus_sync_needs_command" -f -a "doctor" -d 'Check everything this setup relies on, read-only: config, databases, key, and CaseStatus\'s answers'
complete -c casestatus-sync -n "__fish_casestatus_sync_needs_command" -f -a "serve" -d 'The status page for support staff: a read-only web page of the settings, health, log and matters'
complete -c casestatus-sync -n "__fish_casestatus_sync_needs_command" -f -a "fleet" -d 'Many firms: `sync all` for each firm folder of DIR in this shard, each in its own process'
complete -c casestatus-sync -n "__fish_casestatus_sync_needs_command" -f -a "sandbox" -d 'Run a CaseStatus sandbox on 127.0.0.1 for trying the tool'
complete -c casestatus-sync -n "__fish_casestatus_sync_needs_command" -f -a "completions" -d 'Print shell completions'
complete -c casestatus-sync -n "__fish_casestatus_sync_needs_command" -f -a "man" -d 'Print the man page (roff) on stdout, or write every page into a folder'
complete -c casestatus-sync -n "__fish_casestatus_sync_needs_command" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c casestatus-sync -n "__fish_casestatus_sync_using_subcommand demo" -l dir -d 'Folder to create (default: ./casestatus-sync-demo, or -2, -3... if taken)' -r -F
complete -c casestatus-sync -n "__fish_casestatus_sync_using_subcommand demo" -l config -d 'Config file (default: $CASESTATUS_SYNC_CONFIG, else ./casestatus-sync.toml)' -r -F
complete -c casestatus-sync -n "__fish_casestatus_sync_using_subcommand demo" -l trace -d 'Write every HTTP exchange with CaseStatus to FILE as a HAR archive (mode 0600; holds client data; the key reads REDACTED)' -r -F
complete -c casestatus-sync -n "__fish_casestatus_sync_using_subcommand demo" -l api-key-file -d 'Read the CaseStatus API key from FILE (mode 0600/0400/0640/0440) instead of casestatus.api_key_file or the saved key: admin commands with a service\'s key' -r -F
complete -c casestatus-sync -n "__fish_casestatus_sync_using_subcommand demo" -l json -d 'Print one JSON document on stdout instead of tables (one line when piped)'
complete -c casestatus-sync -n "__fish_casestatus_sync_using_subcommand demo" -s q -l quiet -d 'Print nothing on success'
complete -c casestatus-sync -n "__fish_casestatus_sync_using_subcommand demo" -s v -l verbose -d 'Print more detail on stderr (-vv is accepted)'
complete -c casestatus-sync -n "__fish_casestatus_sync_using_subcommand demo" -s h -l help -d 'Print help'
complete -c casestatus-sync -n "__fish_casestatus_sync_using_subcommand init" -l fluentcase-db -d 'FluentCase\'s SQLite database (checked to hold FluentCase\'s tables)' -r -F
complete -c casestatus-sync -n "__fish_casestatus_sync_using_subcommand init" -l fluentcase-url -d 'FluentCase\'s address, for deep links, e.g. `https://acme.fluentcase.com`' -r
complete -c casestatus-sync -n "__fish_casestatus_sync_using_subcommand init" -l timezone -d 'The firm\'s IANA time zone [default: the system\'s]' -r
complete -c casestatus-sync -n "__fish_casestatus_sync_using_subcommand init" -l casestatus-url -d 'CaseStatus\'s address [default: `https://app.casestatus.com`]' -r
complete -c casestatus-sync -n "__fish_casestatus_sync_using_subcommand init" -l state -d 'The tool\'s own state file [default: casestatus-sync.db beside the config]' -r -F
complete -c casestatus-sync -n "__fish_casestatus_sync_using_subcommand init" -l config -d 'Config file (default: $CASESTATUS_SYNC_CONFIG, else ./casestatus-sync.toml)' -r -F
complete -c casestatus-sync -n "__fish_casestatus_sync_using_subcommand init" -l trace -d 'Write every HTTP exchange with CaseStatus to FILE as a HAR archive (mode 0600; holds client data; the key reads REDACTED)' -r -F
complete -c casestatus-sync -n "__fish_casestatus_sync_using_subcommand init" -l api-key-file -d 'Read the CaseStatus API key from FILE (mode 0600/0400/0640/0440) instead of casestatus.api_key_file or the saved key: admin commands with a service\'s key' -r -F
complete -c casestatus-sync -n "__fish_casestatus_sync_using_subcommand init" -l json -d 'Print one JSON document on stdout instead of tables (one line when piped)'
complete -c casestatus-sync -n "__fish_casestatus_sync_using_subcommand init" -s q -l quiet -d 'Print nothing on success'
complete -c casestatus-sync -n "__fish_casestatus_sync_using_subcommand init" -s v -l verbose -d 'Print more detail on stderr (-vv is accepted)'
complete -c casestatus-sync -n "__fish_casestatus_sync_using_subcommand init" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c casestatus-sync -n "__fish_casestatus_sync_using_subcommand setup" -l config -d 'Config file (default: $CASESTATUS_SYNC_CONFIG, else ./casestatus-sync.toml)' -r -F
complete -c casestatus-sync -n "__fish_casestatus_sync_using_subcommand setup" -l trace -d 'Write every HTTP exchange with CaseStatus to FILE as a HAR archive (mode 0600; holds client data; the key reads REDACTED)' -r -F
complete -c casestatus-sync -n "__fish_casestatus_sync_using_subcommand setup" -l api-key-file -d 'Read the CaseStatus API key from FILE (mode 0600/0400/0640/0440) instead of casestatus.api_key_file or the saved key: admin commands with a service\'s key' -r -F
complete -c casestatus-sync -n "__fish_casestatus_sync_using_subcommand setup" -l json -d 'Print one JSON document on stdout instead of tables (one line when piped)'
complete -c casestatus-sync -n "__fish_casestatus_sync_using_subcommand setup" -s q -l quiet -d 'Print nothing on success'
complete -c casestatus-sync -n "__fish_casestatus_sync_using_subcommand setup" -s v -l verbose -d 'Print more detail on stderr (-vv is accepted)'
complete -c casestatus-sync -n "__fish_casestatus_sync_using_subcommand setup" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c casestatus-sync -n "__fish_casestatus_sync_using_subcommand connect" -l name -d 'A descriptive name for the key, e.g. "CaseStatus API Key"' -r
complete -c casestatus-sync -n "__fish_casestatus_sync_using_subcommand connect" -l status -d 'A matter status to sync (repeatable; default Open)' -r
complete -c casestatus-sync -n "__fish_casestatus_sync_using_subcommand connect" -l config -d 'Config file (default: $CASESTATUS_SYNC_CONFIG, else ./casestatus-sync.toml)' -r -F
complete -c casestatus-sync -n "__fish_casestatus_sync_using_subcommand connect" -l trace -d 'Write every HTTP exchange with CaseStatus to FILE as a HAR archive (mode 0600; holds client data; the key reads REDACTED)' -r -F
complete -c casestatus-sync -n "__fish_casestatus_sync_using_subcommand connect" -l api-key-file -d 'Read the CaseStatus API key from FILE (mode 0600/0400/0640/0440) instead of casestatus.api_key_file or the saved key: admin commands with a service\'s key' -r -F
complete -c casestatus-sync -n "__fish_casestatus_sync_using_subcommand connect" -l api-key-stdin -d 'Read the key from standard input instead of a hidden prompt'
complete -c casestatus-sync -n "__fish_casestatus_sync_using_subcommand connect" -l no-test -d 'Save the key without testing it with CaseStatus first (offline setup)'
complete -c casestatus-sync -n "__fish_casestatus_sync_using_subcommand connect" -l new-account -d 'The key opens another CaseStatus account on purpose: file the old account\'s record (kept for log and why-skipped) and push every matter to this one'
complete -c casestatus-sync -n "__fish_casestatus_sync_using_subcommand connect" -l same-account -d 'Accept the account the current key and URL open as this state file\'s, without checking its cases (after a person has looked)'
complete -c casestatus-sync -n "__fish_casestatus_sync_using_subcommand connect" -l json -d 'Print one JSON document on stdout instead of tables (one line when piped)'
complete -c casestatus-sync -n "__fish_casestatus_sync_using_subcommand connect" -s q -l quiet -d 'Print nothing on success'
complete -c casestatus-sync -n "__fish_casestatus_sync_using_subcommand connect" -s v -l verbose -d 'Print more detail on stderr (-vv is accepted)'
complete -c casestatus-sync -n "__fish_casestatus_sync_using_subcommand connect" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c casestatus-sync -n "__fish_casestatus_sync_using_subcommand test" -l config -d 'Config file (default: $CASESTATUS_SYNC_CONFIG, else ./casestatus-sync.toml)' -r -F
complete -c casestatus-sync -n "__fish_casestatus_sync_using_subcommand test" -l trace -d 'Write every HTTP exchange with CaseStatus to FILE as a HAR archive (mode 0600; holds client data; the key reads REDACTED)' -r -F
complete -c casestatus-sync -n "__fish_casestatus_sync_using_subcommand test" -l api-key-file -d 'Read the CaseStatus API key from FILE (mode 0600/0400/0640/0440) instead of casestatus.api_key_file or the saved key: admin commands with a service\'s key' -r -F
complete -c casestatus-sync -n "__fish_casestatus_sync_using_subcommand test" -l json -d 'Print one JSON document on stdout instead of tables (one line when piped)'
complete -c casestatus-sync -n "__fish_casestatus_sync_using_subcommand test" -s q -l quiet -d 'Print nothing on success'
complete -c casestatus-sync -n "__fish_casestatus_sync_using_subcommand test" -s v -l verbose -d 'Print more detail on stderr (-vv is accepted)'
complete -c casestatus-sync -n "__fish_casestatus_sync_using_subcommand test" -s h -l help -d 'Print help'
complete -c casestatus-sync -n "__fish_casestatus_sync_using_subcommand disconnect" -l config -d 'Config file (default: $CASESTATUS_SYNC_CONFIG, else ./casestatus-sync.toml)' -r -F
complete -c casestatus-sync -n "__fish_casestatus_sync_using_subcommand disconnect" -l trace -d 'Write every HTTP exchange with CaseStatus to FILE as a HAR archive (mode 0600; holds client data; the key reads REDACTED)' -r -F
complete -c casestatus-sync -n "__fish_casestatus_sync_using_subcommand disconnect" -l api-key-file -d 'Read the CaseStatus API key from FILE (mode 0600/0400/0640/0440) instead of casestatus.api_key_file or the saved key: admin commands with a service\'s key' -r -F
complete -c casestatus-sync -n "__fish_casestatus_sync_using_subcommand disconnect" -l json -d 'Print one JSON document on stdout instead of tables (one line when piped)'
complete -c casestatus-sync -n "__fish_casestatus_sync_using_subcommand disconnect" -s q -l quiet -d 'Print nothing on success'
complete -c casestatus-sync -n "__fish_casestatus_sync_using_subcommand disconnect" -s v -l verbose -d 'Print more detail on stderr (-vv is accepted)'
complete -c casestatus-sync -n "__fish_casestatus_sync_using_subcommand disconnect" -s h -l help -d 'Print help'
complete -c casestatus-sync -n "__fish_casestatus_sync_using_subcommand synced-statuses" -l config -d 'Config file (default: $CASESTATUS_SYNC_CONFIG, else ./casestatus-sync.toml)' -r -F
complete -c casestatus-sync -n "__fish_casestatus_sync_using_subcommand synced-statuses" -l trace -d 'Write every HTTP exchange with CaseStatus to FILE as a HAR archive (mode 0600; holds client data; the key reads REDACTED)' -r -F
complete -c casestatus-sync -n "__fish_casestatus_sync_using_subcommand synced-statuses" -l api-key-file -d 'Read the CaseStatus API key from FILE (mode 0600/0400/0640/0440) instead of casestatus.api_key_file or the saved key: admin commands with a service\'s key' -r -F
complete -c casestatus-sync -n "__fish_casestatus_sync_using_subcommand synced-statuses" -l json -d 'Print one JSON document on stdout instead of tables (one line when piped)'
complete -c casestatus-sync -n "__fish_casestatus_sync_using_subcommand synced-statuses" -s q -l quiet -d 'Print nothing on success'
complete -c casestatus-sync -n "__fish_casestatus_sync_using_subcommand synced-statuses" -s v -l verbose -d 'Print more detail on stderr (-vv is accepted)'
complete -c casestatus-sync -n "__fish_casestatus_sync_using_subcommand synced-statuses" -s h -l help -d 'Print help'
complete -c casestatus-sync -n "__fish_casestatus_sync_using_subcommand refetch-practice-areas" -l config -d 'Config file (default: $CASESTATUS_SYNC_CONFIG, else ./casestatus-sync.toml)' -r -F
complete -c casestatus-sync -n "__fish_casestatus_sync_using_subcommand refetch-practice-areas" -l trace -d 'Write every HTTP exchange with CaseStatus to FILE as a HAR archive (mode 0600; holds client data; the key reads REDACTED)' -r -F
complete -c casestatus-sync -n "__fish_casestatus_sync_using_subcommand refetch-practice-areas" -l api-key-file -d 'Read the CaseStatus API key from FILE (mode 0600/0400/0640/0440) instead of casestatus.api_key_file or the saved key: admin commands with a service\'s key' -r -F
complete -c casestatus-sync -n "__fish_casestatus_sync_using_subcommand refetch-practice-areas" -l json -d 'Print one JSON document on stdout instead of tables (one line when piped)'
complete -c casestatus-sync -n "__fish_casestatus_sync_using_subcommand refetch-practice-areas" -s q -l quiet -d 'Print nothing on success'
complete -c casestatus-sync -n "__fish_casestatus_sync_using_subcommand refetch-practice-areas" -s v -l verbose -d 'Print more detail on stderr (-vv is accepted)'
complete -c casestatus-sync -n "__fish_casestatus_sync_using_subcommand refetch-practice-areas" -s h -l help -d 'Print help'
complete -c casestatus-sync -n "__fish_casestatus_sync_using_subcommand map; and not __fish_seen_subcommand_from practice-area stage help" -l config -d 'Config file (default: $CASESTATUS_SYNC_CONFIG, else ./casestatus-sync.toml)' -r -F
complete -c casestatus-sync -n "__fish_casestatus_sync_using_subcommand map; and not __fish_seen_subcommand_from practice-area stage help" -l trace -d 'Write every HTTP exchange with CaseStatus to FILE as a HAR archive (mode 0600; holds client data; the key reads REDACTED)' -r -F
complete -c casestatus-sync -n "__fish_casestatus_sync_using_subcommand map; and not __fish_seen_subcommand_from practice-area stage help" -l api-key-file -d 'Read the CaseStatus API key from FILE (mode 0600/0400/0640/0440) instead of casestatus.api_key_file or the saved key: admin commands with a service\'s key' -r -F
complete -c casestatus-sync -n "__fish_casestatus_sync_using_subcommand map; and not __fish_seen_subcommand_from practice-area stage help" -l json -d 'Print one JSON document on stdout instead of tables (one line when piped)'
complete -c casestatus-sync -n "__fish_casestatus_sync_using_subcommand map; and not __fish_seen_subcommand_from practice-area stage help" -s q -l quiet -d 'Print nothing on success'
complete -c casestatus-sync -n "__fish_casestatus_sync_using_subcommand map; and not __fish_seen_subcommand_from practice-area stage help" -s v -l verbose -d 'Print more detail on stderr (-vv is accepted)'
complete -c casestatus-sync -n "__fish_casestatus_sync_using_subcommand map; and not __fish_seen_subcommand_from practice-area stage help" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c casestatus-sync -n "__fish_casestatus_sync_using_subcommand map; and not __fish_seen_subcommand_from practice-area stage help" -f -a "practice-area" -d 'Map a practice area to a FluentCase case type (or clear it)'
complete -c casestatus-sync -n "__fish_casestatus_sync_using_subcommand map; and not __fish_seen_subcommand_from practice-area stage help" -f -a "stage" -d 'Map a stage of a practice area to a FluentCase matter status (or clear it)'
complete -c casestatus-sync -n "__fish_casestatus_sync_using_subcommand map; and not __fish_seen_subcommand_from practice-area stage help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c casestatus-sync -n "__fish_casestatus_sync_using_subcommand map; and __fish_seen_subcommand_from practice-area" -l case-type -d 'The FluentCase case type' -r
complete -c casestatus-sync -n "__fish_casestatus_sync_using_subcommand map; and __fish_seen_subcommand_from practice-area" -l config -d 'Config file (default: $CASESTATUS_SYNC_CONFIG, else ./casestatus-sync.toml)' -r -F
complete -c casestatus-sync -n "__fish_casestatus_sync_using_subcommand map; and __fish_seen_subcommand_from practice-area" -l trace -d 'Write every HTTP exchange with CaseStatus to FILE as a HAR archive (mode 0600; holds client data; the key reads REDACTED)' -r -F
complete -c casestatus-sync -n "__fish_casestatus_sync_using_subcommand map; and __fish_seen_subcommand_from practice-area" -l api-key-file -d 'Read the CaseStatus API key from FILE (mode 0600/0400/0640/0440) instead of casestatus.api_key_file or the saved key: admin commands with a service\'s key' -r -F
complete -c casestatus-sync -n "__fish_casestatus_sync_using_subcommand map; and __fish_seen_subcommand_from practice-area" -l clear -d 'Remove the mapping'
complete -c casestatus-sync -n "__fish_casestatus_sync_using_subcommand map; and __fish_seen_subcommand_from practice-area" -l json -d 'Print one JSON document on stdout instead of tables (one line when piped)'
complete -c casestatus-sync -n "__fish_casestatus_sync_using_subcommand map; and __fish_seen_subcommand_from practice-area" -s q -l quiet -d 'Print nothing on success'
complete -c casestatus-sync -n "__fish_casestatus_sync_using_subcommand map; and __fish_seen_subcommand_from practice-area" -s v -l verbose -d 'Print more detail on stderr (-vv is accepted)'
complete -c casestatus-sync -n "__fish_casestatus_sync_using_subcommand map; and __fish_seen_subcommand_from practice-area" -s h -l help -d 'Print help'
complete -c casestatus-sync -n "__fish_casestatus_sync_using_subcommand map; and __fish_seen_subcommand_from stage" -l status -d 'The FluentCase matter status' -r
complete -c casestatus-sync -n "__fish_casestatus_sync_using_subcommand map; and __fish_seen_subcommand_from stage" -l config -d 'Config file (default: $CASESTATUS_SYNC_CONFIG, else ./casestatus-sync.toml)' -r -F
complete -c casestatus-sync -n "__fish_casestatus_sync_using_subcommand map; and __fish_seen_subcommand_from stage" -l trace -d 'Write every HTTP exchange with CaseStatus to FILE as a HAR archive (mode 0600; holds client data; the key reads REDACTED)' -r -F
complete -c casestatus-sync -n "__fish_casestatus_sync_using_subcommand map; and __fish_seen_subcommand_from stage" -l api-key-file -d 'Read the CaseStatus API key from FILE (mode 0600/0400/0640/0440) instead of casestatus.api_key_file or the saved key: admin commands with a service\'s key' -r -F
complete -c casestatus-sync -n "__fish_casestatus_sync_using_subcommand map; and __fish_seen_subcommand_from stage" -l clear -d 'Remove the mapping'
complete -c casestatus-sync -n "__fish_casestatus_sync_using_subcommand map; and __fish_seen_subcommand_from stage" -l json -d 'Print one JSON document on stdout instead of tables (one line when piped)'
complete -c casestatus-sync -n "__fish_casestatus_sync_using_subcommand map; and __fish_seen_subcommand_from stage" -s q -l quiet -d 'Print nothing on success'
complete -c casestatus-sync -n "__fish_casestatus_sync_using_subcommand map; and __fish_seen_subcommand_from stage" -s v -l verbose -d 'Print more detail on stderr (-vv is accepted)'
complete -c casestatus-sync -n "__fish_casestatus_sync_using_subcommand map; and __fish_seen_subcommand_from stage" -s h -l help -d 'Print help'
complete -c casestatus-sync -n "__fish_casestatus_sync_using_subcommand map; and __fish_seen_subcommand_from help" -f -a "practice-area" -d 'Map a practice area to a FluentCase case type (or clear it)'
complete -c casestatus-sync -n "__fish_casestatus_sync_using_subcommand map; and __fish_seen_subcommand_from help" -f -a "stage" -d 'Map a stage of a practice area to a FluentCase matter status (or clear it)'
complete -c casestatus-sync -n "__fish_casestatus_sync_using_subcommand map; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c casestatus-sync -n "__fish_casestatus_sync_using_subcommand event-types; and not __fish_seen_subcommand_from enable disable help" -l config -d 'Config file (default: $CASESTATUS_SYNC_CONFIG, else ./casestatus-sync.toml)' -r -F
complete -c casestatus-sync -n "__fish_casestatus_sync_using_subcommand event-types; and not __fish_seen_subcommand_from enable disable help" -l trace -d 'Write every HTTP exchange with CaseStatus to FILE as a HAR archive (mode 0600; holds client data; the key reads REDACTED)' -r -F
complete -c casestatus-sync -n "__fish_casestatus_sync_using_subcommand event-types; and not __fish_seen_subcommand_from enable disable help" -l api-key-file -d 'Read the CaseStatus API key from FILE (mode 0600/0400/0640/0440) instead of casestatus.api_key_file or the saved key: admin commands with a service\'s key' -r -F
complete -c casestatus-sync -n "__fish_casestatus_sync_using_subcommand event-types; and not __fish_seen_subcommand_from enable disable help" -l json -d 'Print one JSON document on stdout instead of tables (one line when piped)'
complete -c casestatus-sync -n "__fish_casestatus_sync_using_subcommand event-types; and not __fish_seen_subcommand_from enable disable help" -s q -l quiet -d 'Print nothing on success'
complete -c casestatus-sync -n "__fish_casestatus_sync_using_subcommand event-types; and not __fish_seen_subcommand_from enable disable help" -s v -l verbose -d 'Print more detail on stderr (-vv is accepted)'
complete -c casestatus-sync -n "__fish_casestatus_sync_using_subcommand event-types; and not __fish_seen_subcommand_from enable disable help" -s h -l help -d 'Print help'
complete -c casestatus-sync -n "__fish_casestatus_sync_using_subcommand event-types; and not __fish_seen_subcommand_from enable disable help" -f -a "enable" -d 'Push events of these types as appointments'
complete -c casestatus-sync -n "__fish_casestatus_sync_using_subcommand event-types; and not __fish_seen_subcommand_from enable disable help" -f -a "disable" -d 'Stop pushing events of these types'
complete -c casestatus-sync -n "__fish_casestatus_sync_using_subcommand event-types; and not __fish_seen_subcommand_from enable disable help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c casestatus-sync -n "__fish_casestatus_sync_using_subcommand event-types; and __fish_seen_subcommand_from enable" -l config -d 'Config file (default: $CASESTATUS_SYNC_CONFIG, else ./casestatus-sync.toml)' -r -F
complete -c casestatus-sync -n "__fish_casestatus_sync_using_subcommand event-types; and __fish_seen_subcommand_from enable" -l trace -d 'Write every HTTP exchange with CaseStatus to FILE as a HAR archive (mode 0600; holds client data; the key reads REDACTED)' -r -F
complete -c casestatus-sync -n "__fish_casestatus_sync_using_subcommand event-types; and __fish_seen_subcommand_from enable" -l api-key-file -d 'Read the CaseStatus API key from FILE (mode 0600/0400/0640/0440) instead of casestatus.api_key_file or the saved key: admin commands with a service\'s key' -r -F
complete -c casestatus-sync -n "__fish_casestatus_sync_using_subcommand event-types; and __fish_seen_subcommand_from enable" -l json -d 'Print one JSON document on stdout instead of tables (one line when piped)'
complete -c casestatus-sync -n "__fish_casestatus_sync_using_subcommand event-types; and __fish_seen_subcommand_from enable" -s q -l quiet -d 'Print nothing on success'
complete -c casestatus-sync -n "__fish_casestatus_sync_using_subcommand event-types; and __fish_seen_subcommand_from enable" -s v -l verbose -d 'Print more detail on stderr (-vv is accepted)'
complete -c casestatus-sync -n "__fish_casestatus_sync_using_subcommand event-types; and __fish_seen_subcommand_from enable" -s h -l help -d 'Print help'
complete -c casestatus-sync -n "__fish_casestatus_sync_using_subcommand event-types; and __fish_seen_subcommand_from disable" -l config -d 'Config file (default: $CASESTATUS_SYNC_CONFIG, else ./casestatus-sync.toml)' -r -F
complete -c casestatus-sync -n "__fish_casestatus_sync_using_subcommand event-types; and __fish_seen_subcommand_from disable" -l trace -d 'Write every HTTP exchange with CaseStatus to FILE as a HAR archive (mode 0600; holds client data; the key reads REDACTED)' -r -F
complete -c casestatus-sync -n "__fish_casestatus_sync_using_subcommand event-types; and __fish_seen_subcommand_from disable" -l api-key-file -d 'Read the CaseStatus API key from FILE (mode 0600/0400/0640/0440) instead of casestatus.api_key_file or the saved key: admin commands with a service\'s key' -r -F
complete -c casestatus-sync -n "__fish_casestatus_sync_using_subcommand event-types; and __fish_seen_subcommand_from disable" -l json -d 'Print one JSON document on stdout instead of tables (one line when piped)'
complete -c casestatus-sync -n "__fish_casestatus_sync_using_subcommand event-types; and __fish_seen_subcommand_from disable" -s q -l quiet -d 'Print nothing on success'
complete -c casestatus-sync -n "__fish_casestatus_sync_using_subcommand event-types; and __fish_seen_subcommand_from disable" -s v -l verbose -d 'Print more detail on stderr (-vv is accepted)'
complete -c casestatus-sync -n "__fish_casestatus_sync_using_subcommand event-types; and __fish_seen_subcommand_from disable" -s h -l help -d 'Print help'
complete -c casestatus-sync -n "__fish_casestatus_sync_using_subcommand event-types; and __fish_seen_subcommand_from help" -f -a "enable" -d 'Push events of these types as appointments'
complete -c casestatus-sync -n "__fish_casestatus_sync_using_subcommand event-types; and __fish_seen_subcommand_from help" -f -a "disable" -d 'Stop pushing events of these types'
complete -c casestatus-sync -n "__fish_casestatus_sync_using_subcommand event-types; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c casestatus-sync -n "__fish_casestatus_sync_using_subcommand sync; and not __fish_seen_subcommand_from matters appointments messages all help" -l config -d 'Config file (default: $CASESTATUS_SYNC_CONFIG, else ./casestatus-sync.toml)' -r -F
complete -c casestatus-sync -n "__fish_casestatus_sync_using_subcommand sync; and not __fish_seen_subcommand_from matters appointments messages all help" -l trace -d 'Write every HTTP exchange with CaseStatus to FILE as a HAR archive (mode 0600; holds client data; the key reads REDACTED)' -r -F
complete -c casestatus-sync -n "__fish_casestatus_sync_using_subcommand sync; and not __fish_seen_subcommand_from matters appointments messages all help" -l api-key-file -d 'Read the CaseStatus API key from FILE (mode 0600/0400/0640/0440) instead of casestatus.api_key_file or the saved key: admin commands with a service\'s key' -r -F
complete -c casestatus-sync -n "__fish_casestatus_sync_using_subcommand sync; and not __fish_seen_subcommand_from matters appointments messages all help" -l json -d 'Print one JSON document on stdout instead of tables (one line when piped)'
complete -c casestatus-sync -n "__fish_casestatus_sync_using_subcommand sync; and not __fish_seen_subcommand_from matters appointments messages all help" -s q -l quiet -d 'Print nothing on success'
complete -c casestatus-sync -n "__fish_casestatus_sync_using_subcommand sync; and not __fish_seen_subcommand_from matters appointments messages all help" -s v -l verbose -d 'Print more detail on stderr (-vv is accepted)'
complete -c casestatus-sync -n "__fish_casestatus_sync_using_subcommand sync; and not __fish_seen_subcommand_from matters appointments messages all help" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c casestatus-sync -n "__fish_casestatus_sync_using_subcommand sync; and not __fish_seen_subcommand_from matters appointments messages all help" -f -a "matters" -d 'Push eligible matters as cases'
complete -c casestatus-sync -n "__fish_casestatus_sync_using_subcommand sync; and not __fish_seen_subcommand_from matters appointments messages all help" -f -a "appointments" -d 'Push calendar events of enabled event types as appointments'
complete -c casestatus-sync -n "__fish_casestatus_sync_using_subcommand sync; and not __fish_seen_subcommand_from matters appointments messages all help" -f -a "messages" -d 'Import client messages as activities'
complete -c casestatus-sync -n "__fish_casestatus_sync_using_subcommand sync; and not __fish_seen_subcommand_from matters appointments messages all help" -f -a "all" -d 'Matters, then appointments, then messages'
complete -c casestatus-sync -n "__fish_casestatus_sync_using_subcommand sync; and not __fish_seen_subcommand_from matters appointments messages all help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c casestatus-sync -n "__fish_casestatus_sync_using_subcommand sync; and __fish_seen_subcommand_from matters" -l config -d 'Config file (default: $CASESTATUS_SYNC_CONFIG, else ./casestatus-sync.toml)' -r -F
complete -c casestatus-sync -n "__fish_casestatus_sync_using_subcommand sync; and __fish_seen_subcommand_from matters" -l trace -d 'Write every HTTP exchange with CaseStatus to FILE as a HAR archive (mode 0600; holds client data; the key reads REDACTED)' -r -F
complete -c casestatus-sync -n "__fish_casestatus_sync_using_subcommand sync; and __fish_seen_subcommand_from matters" -l api-key-file -d 'Read the CaseStatus API key from FILE (mode 0600/0400/0640/0440) instead of casestatus.api_key_file or the saved key: admin commands with a service\'s key' -r -F
complete -c casestatus-sync -n "__fish_casestatus_sync_using_subcommand sync; and __fish_seen_subcommand_from matters" -s n -l dry-run -d 'Show what would happen (printed wherever stdout goes); change nothing anywhere'
complete -c casestatus-sync -n "__fish_casestatus_sync_using_subcommand sync; and __fish_seen_subcommand_from matters" -l json -d 'Print one JSON document on stdout instead of tables (one line when piped)'
complete -c casestatus-sync -n "__fish_casestatus_sync_using_subcommand sync; and __fish_seen_subcommand_from matters" -s q -l quiet -d 'Print nothing on success'
complete -c casestatus-sync -n "__fish_casestatus_sync_using_subcommand sync; and __fish_seen_subcommand_from matters" -s v -l verbose -d 'Print more detail on stderr (-vv is accepted)'
complete -c casestatus-sync -n "__fish_casestatus_sync_using_subcommand sync; and __fish_seen_subcommand_from matters" -s h -l help -d 'Print help'
complete -c casestatus-sync -n "__fish_casestatus_sync_using_subcommand sync; and __fish_seen_subcommand_from appointments" -l config -d 'Config file (default: $CASESTATUS_SYNC_CONFIG, else ./casestatus-sync.toml)' -r -F
complete -c casestatus-sync -n "__fish_casestatus_sync_using_subcommand sync; and __fish_seen_subcommand_from appointments" -l trace -d 'Write every HTTP exchange with CaseStatus to FILE as a HAR archive (mode 0600; holds client data; the key reads REDACTED)' -r -F
complete -c casestatus-sync -n "__fish_casestatus_sync_using_subcommand sync; and __fish_seen_subcommand_from appointments" -l api-key-file -d 'Read the CaseStatus API key from FILE (mode 0600/0400/0640/0440) instead of casestatus.api_key_file or the saved key: admin commands with a service\'s key' -r -F
complete -c casestatus-sync -n "__fish_casestatus_sync_using_subcommand sync; and __fish_seen_subcommand_from appointments" -s n -l dry-run -d 'Show what would happen (printed wherever stdout goes); change nothing anywhere'
complete -c casestatus-sync -n "__fish_casestatus_sync_using_subcommand sync; and __fish_seen_subcommand_from appointments" -l json -d 'Print one JSON document on stdout instead of tables (one line when piped)'
complete -c casestatus-sync -n "__fish_casestatus_sync_using_subcommand sync; and __fish_seen_subcommand_from appointments" -s q -l quiet -d 'Print nothing on success'
complete -c casestatus-sync -n "__fish_casestatus_sync_using_subcommand sync; and __fish_seen_subcommand_from appointments" -s v -l verbose -d 'Print more detail on stderr (-vv is accepted)'
complete -c casestatus-sync -n "__fish_casestatus_sync_using_subcommand sync; and __fish_seen_subcommand_from appointments" -s h -l help -d 'Print help'
complete -c casestatus-sync -n "__fish_casestatus_sync_using_subcommand sync; and __fish_seen_subcommand_from messages" -l config -d 'Config file (default: $CASESTATUS_SYNC_CONFIG, else ./casestatus-sync.toml)' -r -F
complete -c casestatus-sync -n "__fish_casestatus_sync_using_subcommand sync; and __fish_seen_subcommand_from messages" -l trace -d 'Write every HTTP exchange with CaseStatus to FILE as a HAR archive (mode 0600; holds client data; the key reads REDACTED)' -r -F
complete -c casestatus-sync -n "__fish_casestatus_sync_using_subcommand sync; and __fish_seen_subcommand_from messages" -l api-key-file -d 'Read the CaseStatus API key from FILE (mode 0600/0400/0640/0440) instead of casestatus.api_key_file or the saved key: admin commands with a service\'s key' -r -F
complete -c casestatus-sync -n "__fish_casestatus_sync_using_subcommand sync; and __fish_seen_subcommand_from messages" -s n -l dry-run -d 'Show what would happen (printed wherever stdout goes); change nothing anywhere'
complete -c casestatus-sync -n "__fish_casestatus_sync_using_subcommand sync; and __fish_seen_subcommand_from messages" -l json -d 'Print one JSON document on stdout instead of tables (one line when piped)'
complete -c casestatus-sync -n "__fish_casestatus_sync_using_subcommand sync; and __fish_seen_subcommand_from messages" -s q -l quiet -d 'Print nothing on success'
complete -c casestatus-sync -n "__fish_casestatus_sync_using_subcommand sync; and __fish_seen_subcommand_from messages" -s v -l verbose -d 'Print more detail on stderr (-vv is accepted)'
complete -c casestatus-sync -n "__fish_casestatus_sync_using_subcommand sync; and __fish_seen_subcommand_from messages" -s h -l help -d 'Print help'
complete -c casestatus-sync -n "__fish_casestatus_sync_using_subcommand sync; and __fish_seen_subcommand_from all" -l config -d 'Config file (default: $CASESTATUS_SYNC_CONFIG, else ./casestatus-sync.toml)' -r -F
complete -c casestatus-sync -n "__fish_casestatus_sync_using_subcommand sync; and __fish_seen_subcommand_from all" -l trace -d 'Write every HTTP exchange with CaseStatus to FILE as a HAR archive (mode 0600; holds client data; the key reads REDACTED)' -r -F
complete -c casestatus-sync -n "__fish_casestatus_sync_using_subcommand sync; and __fish_seen_subcommand_from all" -l api-key-file -d 'Read the CaseStatus API key from FILE (mode 0600/0400/0640/0440) instead of casestatus.api_key_file or the saved key: admin commands with a service\'s key' -r -F
complete -c casestatus-sync -n "__fish_casestatus_sync_using_subcommand sync; and __fish_seen_subcommand_from all" -s n -l dry-run -d 'Show what would happen (printed wherever stdout goes); change nothing anywhere'
complete -c casestatus-sync -n "__fish_casestatus_sync_using_subcommand sync; and __fish_seen_subcommand_from all" -l json -d 'Print one JSON document on stdout instead of tables (one line when piped)'
complete -c casestatus-sync -n "__fish_casestatus_sync_using_subcommand sync; and __fish_seen_subcommand_from all" -s q -l quiet -d 'Print nothing on success'
complete -c casestatus-sync -n "__fish_casestatus_sync_using_subcommand sync; and __fish_seen_subcommand_from all" -s v -l verbose -d 'Print more detail on stderr (-vv is accepted)'
complete -c casestatus-sync -n "__fish_casestatus_sync_using_subcommand sync; and __fish_seen_subcommand_from all" -s h -l help -d 'Print help'
complete -c casestatus-sync -n "__fish_casestatus_sync_using_subcommand sync; and __fish_seen_subcommand_from help" -f -a "matters" -d 'Push eligible matters as cases'
complete -c casestatus-sync -n "__fish_casestatus_sync_using_subcommand sync; and __fish_seen_subcommand_from help" -f -a "appointments" -d 'Push calendar events of enabled event types as appointments'
complete -c casestatus-sync -n "__fish_casestatus_sync_using_subcommand sync; and __fish_seen_subcommand_from help" -f -a "messages" -d 'Import client messages as activities'
complete -c casestatus-sync -n "__fish_casestatus_sync_using_subcommand sync; and __fish_seen_subcommand_from help" -f -a "all" -d 'Matters, then appointments, then messages'
complete -c casestatus-sync -n "__fish_casestatus_sync_using_subcommand sync; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c casestatus-sync -n "__fish_casestatus_sync_using_subcommand why-skipped" -l config -d 'Config file (default: $CASESTATUS_SYNC_CONFIG, else ./casestatus-sync.toml)' -r -F
complete -c casestatus-sync -n "__fish_casestatus_sync_using_subcommand why-skipped" -l trace -d 'Write every HTTP exchange with CaseStatus to FILE as a HAR archive (mode 0600; holds client data; the key reads REDACTED)' -r -F
complete -c casestatus-sync -n "__fish_casestatus_sync_using_subcommand why-skipped" -l api-key-file -d 'Read the CaseStatus API key from FILE (mode 0600/0400/0640/0440) instead of casestatus.api_key_file or the saved key: admin commands with a service\'s key' -r -F
complete -c casestatus-sync -n "__fish_casestatus_sync_using_subcommand why-skipped" -l json -d 'Print one JSON document on stdout instead of tables (one line when piped)'
complete -c casestatus-sync -n "__fish_casestatus_sync_using_subcommand why-skipped" -s q -l quiet -d 'Print nothing on success'
complete -c casestatus-sync -n "__fish_casestatus_sync_using_subcommand why-skipped" -s v -l verbose -d 'Print more detail on stderr (-vv is accepted)'
complete -c casestatus-sync -n "__fish_casestatus_sync_using_subcommand why-skipped" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c casestatus-sync -n "__fish_casestatus_sync_using_subcommand log" -l run -d 'Show one run\'s details' -r
complete -c casestatus-sync -n "__fish_casestatus_sync_using_subcommand log" -l limit -d 'How many recent runs to list' -r
complete -c casestatus-sync -n "__fish_casestatus_sync_using_subcommand log" -l config -d 'Config file (default: $CASESTATUS_SYNC_CONFIG, else ./casestatus-sync.toml)' -r -F
complete -c casestatus-sync -n "__fish_casestatus_sync_using_subcommand log" -l trace -d 'Write every HTTP exchange with CaseStatus to FILE as a HAR archive (mode 0600; holds client data; the key reads REDACTED)' -r -F
complete -c casestatus-sync -n "__fish_casestatus_sync_using_subcommand log" -l api-key-file -d 'Read the CaseStatus API key from FILE (mode 0600/0400/0640/0440) instead of casestatus.api_key_file or the saved key: admin commands with a service\'s key' -r -F
complete -c casestatus-sync -n "__fish_casestatus_sync_using_subcommand log" -l json -d 'Print one JSON document on stdout instead of tables (one line when piped)'
complete -c casestatus-sync -n "__fish_casestatus_sync_using_subcommand log" -s q -l quiet -d 'Print nothing on success'
complete -c casestatus-sync -n "__fish_casestatus_sync_using_subcommand log" -s v -l verbose -d 'Print more detail on stderr (-vv is accepted)'
complete -c casestatus-sync -n "__fish_casestatus_sync_using_subcommand log" -s h -l help -d 'Print help'
complete -c casestatus-sync -n "__fish_casestatus_sync_using_subcommand messages; and not __fish_seen_subcommand_from pending import acknowledge help" -l config -d 'Config file (default: $CASESTATUS_SYNC_CONFIG, else ./casestatus-sync.toml)' -r -F
complete -c casestatus-sync -n "__fish_casestatus_sync_using_subcommand messages; and not __fish_seen_subcommand_from pending import acknowledge help" -l trace -d 'Write every HTTP exchange with CaseStatus to FILE as a HAR archive (mode 0600; holds client data; the key reads REDACTED)' -r -F
complete -c casestatus-sync -n "__fish_casestatus_sync_using_subcommand messages; and not __fish_seen_subcommand_from pending import acknowledge help" -l api-key-file -d 'Read the CaseStatus API key from FILE (mode 0600/0400/0640/0440) instead of casestatus.api_key_file or the saved key: admin commands with a service\'s key' -r -F
complete -c casestatus-sync -n "__fish_casestatus_sync_using_subcommand messages; and not __fish_seen_subcommand_from pending import acknowledge help" -l json -d 'Print one JSON document on stdout instead of tables (one line when piped)'
complete -c casestatus-sync -n "__fish_casestatus_sync_using_subcommand messages; and not __fish_seen_subcommand_from pending import acknowledge help" -s q -l quiet -d 'Print nothing on success'
complete -c casestatus-sync -n "__fish_casestatus_sync_using_subcommand messages; and not __fish_seen_subcommand_from pending import acknowledge help" -s v -l verbose -d 'Print more detail on stderr (-vv is accepted)'
complete -c casestatus-sync -n "__fish_casestatus_sync_using_subcommand messages; and not __fish_seen_subcommand_from pending import acknowledge help" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c casestatus-sync -n "__fish_casestatus_sync_using_subcommand messages; and not __fish_seen_subcommand_from pending import acknowledge help" -f -a "pending" -d 'List the client messages waiting unprocessed in CaseStatus that could not be imported, with why and since when (read-only)'
complete -c casestatus-sync -n "__fish_casestatus_sync_using_subcommand messages; and not __fish_seen_subcommand_from pending import acknowledge help" -f -a "import" -d 'Import one message as an activity on the matter named, then mark it processed in CaseStatus'
complete -c casestatus-sync -n "__fish_casestatus_sync_using_subcommand messages; and not __fish_seen_subcommand_from pending import acknowledge help" -f -a "acknowledge" -d 'Mark one message processed in CaseStatus without importing it'
complete -c casestatus-sync -n "__fish_casestatus_sync_using_subcommand messages; and not __fish_seen_subcommand_from pending import acknowledge help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c casestatus-sync -n "__fish_casestatus_sync_using_subcommand messages; and __fish_seen_subcommand_from pending" -l config -d 'Config file (default: $CASESTATUS_SYNC_CONFIG, else ./casestatus-sync.toml)' -r -F
complete -c casestatus-sync -n "__fish_casestatus_sync_using_subcommand messages; and __fish_seen_subcommand_from pending" -l trace -d 'Write every HTTP exchange with CaseStatus to FILE as a HAR archive (mode 0600; holds client data; the key reads REDACTED)' -r -F
complete -c casestatus-sync -n "__fish_casestatus_sync_using_subcommand messages; and __fish_seen_subcommand_from pending" -l api-key-file -d 'Read the CaseStatus API key from FILE (mode 0600/0400/0640/0440) instead of casestatus.api_key_file or the saved key: admin commands with a service\'s key' -r -F
complete -c casestatus-sync -n "__fish_casestatus_sync_using_subcommand messages; and __fish_seen_subcommand_from pending" -l json -d 'Print one JSON document on stdout instead of tables (one line when piped)'
complete -c casestatus-sync -n "__fish_casestatus_sync_using_subcommand messages; and __fish_seen_subcommand_from pending" -s q -l quiet -d 'Print nothing on success'
complete -c casestatus-sync -n "__fish_casestatus_sync_using_subcommand messages; and __fish_seen_subcommand_from pending" -s v -l verbose -d 'Print more detail on stderr (-vv is accepted)'
complete -c casestatus-sync -n "__fish_casestatus_sync_using_subcommand messages; and __fish_seen_subcommand_from pending" -s h -l help -d 'Print help'
complete -c casestatus-sync -n "__fish_casestatus_sync_using_subcommand messages; and __fish_seen_subcommand_from import" -l matter -d 'The FluentCase matter to put it on: a matter id or a file number' -r
complete -c casestatus-sync -n "__fish_casestatus_sync_using_subcommand messages; and __fish_seen_subcommand_from import" -l config -d 'Config file (default: $CASESTATUS_SYNC_CONFIG, else ./casestatus-sync.toml)' -r -F
complete -c casestatus-sync -n "__fish_casestatus_sync_using_subcommand messages; and __fish_seen_subcommand_from import" -l trace -d 'Write every HTTP exchange with CaseStatus to FILE as a HAR archive (mode 0600; holds client data; the key reads REDACTED)' -r -F
complete -c casestatus-sync -n "__fish_casestatus_sync_using_subcommand messages; and __fish_seen_subcommand_from import" -l api-key-file -d 'Read the CaseStatus API key from FILE (mode 0600/0400/0640/0440) instead of casestatus.api_key_file or the saved key: admin commands with a service\'s key' -r -F
complete -c casestatus-sync -n "__fish_casestatus_sync_using_subcommand messages; and __fish_seen_subcommand_from import" -l json -d 'Print one JSON document on stdout instead of tables (one line when piped)'
complete -c casestatus-sync -n "__fish_casestatus_sync_using_subcommand messages; and __fish_seen_subcommand_from import" -s q -l quiet -d 'Print nothing on success'
complete -c casestatus-sync -n "__fish_casestatus_sync_using_subcommand messages; and __fish_seen_subcommand_from import" -s v -l verbose -d 'Print more detail on stderr (-vv is accepted)'
complete -c casestatus-sync -n "__fish_casestatus_sync_using_subcommand messages; and __fish_seen_subcommand_from import" -s h -l help -d 'Print help'
complete -c casestatus-sync -n "__fish_casestatus_sync_using_subcommand messages; and __fish_seen_subcommand_from acknowledge" -l config -d 'Config file (default: $CASESTATUS_SYNC_CONFIG, else ./casestatus-sync.toml)' -r -F
complete -c casestatus-sync -n "__fish_casestatus_sync_using_subcommand messages; and __fish_seen_subcommand_from acknowledge" -l trace -d 'Write every HTTP exchange with CaseStatus to FILE as a HAR archive (mode 0600; holds client data; the key reads REDACTED)' -r -F
complete -c casestatus-sync -n "__fish_casestatus_sync_using_subcommand messages; and __fish_seen_subcommand_from acknowledge" -l api-key-file -d 'Read the CaseStatus API key from FILE (mode 0600/0400/0640/0440) instead of casestatus.api_key_file or the saved key: admin commands with a service\'s key' -r -F
complete -c casestatus-sync -n "__fish_casestatus_sync_using_subcommand messages; and __fish_seen_subcommand_from acknowledge" -l json -d 'Print one JSON document on stdout instead of tables (one line when piped)'
complete -c casestatus-sync -n "__fish_casestatus_sync_using_subcommand messages; and __fish_seen_subcommand_from acknowledge" -s q -l quiet -d 'Print nothing on success'
complete -c casestatus-sync -n "__fish_casestatus_sync_using_subcommand messages; and __fish_seen_subcommand_from acknowledge" -s v -l verbose -d 'Print more detail on stderr (-vv is accepted)'
complete -c casestatus-sync -n "__fish_casestatus_sync_using_subcommand messages; and __fish_seen_subcommand_from acknowledge" -s h -l help -d 'Print help'
complete -c casestatus-sync -n "__fish_casestatus_sync_using_subcommand messages; and __fish_seen_subcommand_from help" -f -a "pending" -d 'List the client messages waiting unprocessed in CaseStatus that could not be imported, with why and since when (read-only)'
complete -c casestatus-sync -n "__fish_casestatus_sync_using_subcommand messages; and __fish_seen_subcommand_from help" -f -a "import" -d 'Import one message as an activity on the matter named, then mark it processed in CaseStatus'
complete -c casestatus-sync -n "__fish_casestatus_sync_using_subcommand messages; and __fish_seen_subcommand_from help" -f -a "acknowledge" -d 'Mark one message processed in CaseStatus without importing it'
complete -c casestatus-sync -n "__fish_casestatus_sync_using_subcommand messages; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c casestatus-sync -n "__fish_casestatus_sync_using_subcommand status" -l max-age -d 'A sync kind whose last success is older than this many minutes (or that never succeeded) is stale' -r
complete -c casestatus-sync -n "__fish_casestatus_sync_using_subcommand status" -l config -d 'Config file (default: $CASESTATUS_SYNC_CONFIG, else ./casestatus-sync.toml)' -r -F
complete -c casestatus-sync -n "__fish_casestatus_sync_using_subcommand status" -l trace -d 'Write every HTTP exchange with CaseStatus to FILE as a HAR archive (mode 0600; holds client data; the key reads REDACTED)' -r -F
complete -c casestatus-sync -n "__fish_casestatus_sync_using_subcommand status" -l api-key-file -d 'Read the CaseStatus API key from FILE (mode 0600/0400/0640/0440) instead of casestatus.api_key_file or the saved key: admin commands with a service\'s key' -r -F
complete -c casestatus-sync -n "__fish_casestatus_sync_using_subcommand status" -l one-line -d 'One line: the verdict, each kind\'s last run and perfdata, as a Nagios plugin prints them (also for the journal)'
complete -c casestatus-sync -n "__fish_casestatus_sync_using_subcommand status" -l json -d 'Print one JSON document on stdout instead of tables (one line when piped)'
complete -c casestatus-sync -n "__fish_casestatus_sync_using_subcommand status" -s q -l quiet -d 'Print nothing on success'
complete -c casestatus-sync -n "__fish_casestatus_sync_using_subcommand status" -s v -l verbose -d 'Print more detail on stderr (-vv is accepted)'
complete -c casestatus-sync -n "__fish_casestatus_sync_using_subcommand status" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c casestatus-sync -n "__fish_casestatus_sync_using_subcommand metrics" -l config -d 'Config file (default: $CASESTATUS_SYNC_CONFIG, else ./casestatus-sync.toml)' -r -F
complete -c casestatus-sync -n "__fish_casestatus_sync_using_subcommand metrics" -l trace -d 'Write every HTTP exchange with CaseStatus to FILE as a HAR archive (mode 0600; holds client data; the key reads REDACTED)' -r -F
complete -c casestatus-sync -n "__fish_casestatus_sync_using_subcommand metrics" -l api-key-file -d 'Read the CaseStatus API key from FILE (mode 0600/0400/0640/0440) instead of casestatus.api_key_file or the saved key: admin commands with a service\'s key' -r -F
complete -c casestatus-sync -n "__fish_casestatus_sync_using_subcommand metrics" -l json -d 'Print one JSON document on stdout instead of tables (one line when piped)'
complete -c casestatus-sync -n "__fish_casestatus_sync_using_subcommand metrics" -s q -l quiet -d 'Print nothing on success'
complete -c casestatus-sync -n "__fish_casestatus_sync_using_subcommand metrics" -s v -l verbose -d 'Print more detail on stderr (-vv is accepted)'
complete -c casestatus-sync -n "__fish_casestatus_sync_using_subcommand metrics" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c casestatus-sync -n "__fish_casestatus_sync_using_subcommand doctor" -l config -d 'Config file (default: $CASESTATUS_SYNC_CONFIG, else ./casestatus-sync.toml)' -r -F
complete -c casestatus-sync -n "__fish_casestatus_sync_using_subcommand doctor" -l trace -d 'Write every HTTP exchange with CaseStatus to FILE as a HAR archive (mode 0600; holds client data; the key reads REDACTED)' -r -F
complete -c casestatus-sync -n "__fish_casestatus_sync_using_subcommand doctor" -l api-key-file -d 'Read the CaseStatus API key from FILE (mode 0600/0400/0640/0440) instead of casestatus.api_key_file or the saved key: admin commands with a service\'s key' -r -F
complete -c casestatus-sync -n "__fish_casestatus_sync_using_subcommand doctor" -l json -d 'Print one JSON document on stdout instead of tables (one line when piped)'
complete -c casestatus-sync -n "__fish_casestatus_sync_using_subcommand doctor" -s q -l quiet -d 'Print nothing on success'
complete -c casestatus-sync -n "__fish_casestatus_sync_using_subcommand doctor" -s v -l verbose -d 'Print more detail on stderr (-vv is accepted)'
complete -c casestatus-sync -n "__fish_casestatus_sync_using_subcommand doctor" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c casestatus-sync -n "__fish_casestatus_sync_using_subcommand serve" -l listen -d 'Address to listen on (port 0 picks a free one); a non-loopback one needs --token-file' -r
complete -c casestatus-sync -n "__fish_casestatus_sync_using_subcommand serve" -l token-file -d 'A file holding the token every request must carry (Bearer header, or ?token= once); mode 0600 or 0640' -r -F
complete -c casestatus-sync -n "__fish_casestatus_sync_using_subcommand serve" -l tls-cert -d 'Serve HTTPS with this certificate chain (PEM, leaf first); needs --tls-key' -r -F
complete -c casestatus-sync -n "__fish_casestatus_sync_using_subcommand serve" -l tls-key -d 'The private key of --tls-cert (PEM)' -r -F
complete -c casestatus-sync -n "__fish_casestatus_sync_using_subcommand serve" -l allow-host -d 'A host name the page may be reached by (repeatable); requests naming another host are refused' -r
complete -c casestatus-sync -n "__fish_casestatus_sync_using_subcommand serve" -l config -d 'Config file (default: $CASESTATUS_SYNC_CONFIG, else ./casestatus-sync.toml)' -r -F
complete -c casestatus-sync -n "__fish_casestatus_sync_using_subcommand serve" -l trace -d 'Write every HTTP exchange with CaseStatus to FILE as a HAR archive (mode 0600; holds client data; the key reads REDACTED)' -r -F
complete -c casestatus-sync -n "__fish_casestatus_sync_using_subcommand serve" -l api-key-file -d 'Read the CaseStatus API key from FILE (mode 0600/0400/0640/0440) instead of casestatus.api_key_file or the saved key: admin commands with a service\'s key' -r -F
complete -c casestatus-sync -n "__fish_casestatus_sync_using_subcommand serve" -l json -d 'Print one JSON document on stdout instead of tables (one line when piped)'
complete -c casestatus-sync -n "__fish_casestatus_sync_using_subcommand serve" -s q -l quiet -d 'Print nothing on success'
complete -c casestatus-sync -n "__fish_casestatus_sync_using_subcommand serve" -s v -l verbose -d 'Print more detail on stderr (-vv is accepted)'
complete -c casestatus-sync -n "__fish_casestatus_sync_using_subcommand serve" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c casestatus-sync -n "__fish_casestatus_sync_using_subcommand fleet" -l shard -d 'This run\'s shard I/N, 0-based: the firms whose folder name hashes to I mod N [default: 0/1]' -r
complete -c casestatus-sync -n "__fish_casestatus_sync_using_subcommand fleet" -l shards -d 'The number of shards N, with I from $JOB_COMPLETION_INDEX (a Kubernetes Indexed Job)' -r
complete -c casestatus-sync -n "__fish_casestatus_sync_using_subcommand fleet" -l jobs -d 'How many firms run at a time, each in its own process' -r
complete -c casestatus-sync -n "__fish_casestatus_sync_using_subcommand fleet" -l budget -d 'Seconds a firm\'s sync may take; then it is killed (safely) and reported' -r
complete -c casestatus-sync -n "__fish_casestatus_sync_using_subcommand fleet" -l keys-dir -d 'Where firms\' casestatus.api_key_file may lie besides their own folders' -r -F
complete -c casestatus-sync -n "__fish_casestatus_sync_using_subcommand fleet" -l config -d 'Config file (default: $CASESTATUS_SYNC_CONFIG, else ./casestatus-sync.toml)' -r -F
complete -c casestatus-sync -n "__fish_casestatus_sync_using_subcommand fleet" -l trace -d 'Write every HTTP exchange with CaseStatus to FILE as a HAR archive (mode 0600; holds client data; the key reads REDACTED)' -r -F
complete -c casestatus-sync -n "__fish_casestatus_sync_using_subcommand fleet" -l api-key-file -d 'Read the CaseStatus API key from FILE (mode 0600/0400/0640/0440) instead of casestatus.api_key_file or the saved key: admin commands with a service\'s key' -r -F
complete -c casestatus-sync -n "__fish_casestatus_sync_using_subcommand fleet" -l json -d 'Print one JSON document on stdout instead of tables (one line when piped)'
complete -c casestatus-sync -n "__fish_casestatus_sync_using_subcommand fleet" -s q -l quiet -d 'Print nothing on success'
complete -c casestatus-sync -n "__fish_casestatus_sync_using_subcommand fleet" -s v -l verbose -d 'Print more detail on stderr (-vv is accepted)'
complete -c casestatus-sync -n "__fish_casestatus_sync_using_subcommand fleet" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c casestatus-sync -n "__fish_casestatus_sync_using_subcommand sandbox" -l port -d 'Port to listen on (0 picks a free one)' -r
complete -c casestatus-sync -n "__fish_casestatus_sync_using_subcommand sandbox" -l config -d 'Config file (default: $CASESTATUS_SYNC_CONFIG, else ./casestatus-sync.toml)' -r -F
complete -c casestatus-sync -n "__fish_casestatus_sync_using_subcommand sandbox" -l trace -d 'Write every HTTP exchange with CaseStatus to FILE as a HAR archive (mode 0600; holds client data; the key reads REDACTED)' -r -F
complete -c casestatus-sync -n "__fish_casestatus_sync_using_subcommand sandbox" -l api-key-file -d 'Read the CaseStatus API key from FILE (mode 0600/0400/0640/0440) instead of casestatus.api_key_file or the saved key: admin commands with a service\'s key' -r -F
complete -c casestatus-sync -n "__fish_casestatus_sync_using_subcommand sandbox" -l json -d 'Print one JSON document on stdout instead of tables (one line when piped)'
complete -c casestatus-sync -n "__fish_casestatus_sync_using_subcommand sandbox" -s q -l quiet -d 'Print nothing on success'
complete -c casestatus-sync -n "__fish_casestatus_sync_using_subcommand sandbox" -s v -l verbose -d 'Print more detail on stderr (-vv is accepted)'
complete -c casestatus-sync -n "__fish_casestatus_sync_using_subcommand sandbox" -s h -l help -d 'Print help'
complete -c casestatus-sync -n "__fish_casestatus_sync_using_subcommand completions" -l config -d 'Config file (default: $CASESTATUS_SYNC_CONFIG, else ./casestatus-sync.toml)' -r -F
complete -c casestatus-sync -n "__fish_casestatus_sync_using_subcommand completions" -l trace -d 'Write every HTTP exchange with CaseStatus to FILE as a HAR archive (mode 0600; holds client data; the key reads REDACTED)' -r -F
complete -c casestatus-sync -n "__fish_casestatus_sync_using_subcommand completions" -l api-key-file -d 'Read the CaseStatus API key from FILE (mode 0600/0400/0640/0440) instead of casestatus.api_key_file or the saved key: admin commands with a service\'s key' -r -F
complete -c casestatus-sync -n "__fish_casestatus_sync_using_subcommand completions" -l json -d 'Print one JSON document on stdout instead of tables (one line when piped)'
complete -c casestatus-sync -n "__fish_casestatus_sync_using_subcommand completions" -s q -l quiet -d 'Print nothing on success'
complete -c casestatus-sync -n "__fish_casestatus_sync_using_subcommand completions" -s v -l verbose -d 'Print more detail on stderr (-vv is accepted)'
complete -c casestatus-sync -n "__fish_casestatus_sync_using_subcommand completions" -s h -l help -d 'Print help'
complete -c casestatus-sync -n "__fish_casestatus_sync_using_subcommand man" -l dir -d 'Write the top page and one page per subcommand (casestatus-sync-map-stage.1, ...) into DIR' -r -F
complete -c casestatus-sync -n "__fish_casestatus_sync_using_subcommand man" -l config -d 'Config file (default: $CASESTATUS_SYNC_CONFIG, else ./casestatus-sync.toml)' -r -F
complete -c casestatus-sync -n "__fish_casestatus_sync_using_subcommand man" -l trace -d 'Write every HTTP exchange with CaseStatus to FILE as a HAR archive (mode 0600; holds client data; the key reads REDACTED)' -r -F
complete -c casestatus-sync -n "__fish_casestatus_sync_using_subcommand man" -l api-key-file -d 'Read the CaseStatus API key from FILE (mode 0600/0400/0640/0440) instead of casestatus.api_key_file or the saved key: admin commands with a service\'s key' -r -F
complete -c casestatus-sync -n "__fish_casestatus_sync_using_subcommand man" -l json -d 'Print one JSON document on stdout instead of tables (one line when piped)'
complete -c casestatus-sync -n "__fish_casestatus_sync_using_subcommand man" -s q -l quiet -d 'Print nothing on success'
complete -c casestatus-sync -n "__fish_casestatus_sync_using_subcommand man" -s v -l verbose -d 'Print more detail on stderr (-vv is accepted)'
complete -c casestatus-sync -n "__fish_casestatus_sync_using_subcommand man" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c casestatus-sync -n "__fish_casestatus_sync_using_subcommand help; and not __fish_seen_subcommand_from demo init setup connect test disconnect synced-statuses refetch-practice-areas map event-types sync why-skipped log messages status metrics doctor serve fleet sandbox completions man help" -f -a "demo" -d 'Try everything on a sample firm: writes it to a new folder, runs a local sandbox, sets up and syncs'
complete -c casestatus-sync -n "__fish_casestatus_sync_using_subcommand help; and not __fish_seen_subcommand_from demo init setup connect test disconnect synced-statuses refetch-practice-areas map event-types sync why-skipped log messages status metrics doctor serve fleet sandbox completions man help" -f -a "init" -d 'Write a commented config file for this firm (asks on a terminal for what is not given)'
complete -c casestatus-sync -n "__fish_casestatus_sync_using_subcommand help; and not __fish_seen_subcommand_from demo init setup connect test disconnect synced-statuses refetch-practice-areas map event-types sync why-skipped log messages status metrics doctor serve fleet sandbox completions man help" -f -a "setup" -d 'The settings page as a guided walk on a terminal: key, statuses, mappings, event types, cron line'
complete -c casestatus-sync -n "__fish_casestatus_sync_using_subcommand help; and not __fish_seen_subcommand_from demo init setup connect test disconnect synced-statuses refetch-practice-areas map event-types sync why-skipped log messages status metrics doctor serve fleet sandbox completions man help" -f -a "connect" -d 'Add (or replace) the CaseStatus API key, after testing it'
complete -c casestatus-sync -n "__fish_casestatus_sync_using_subcommand help; and not __fish_seen_subcommand_from demo init setup connect test disconnect synced-statuses refetch-practice-areas map event-types sync why-skipped log messages status metrics doctor serve fleet sandbox completions man help" -f -a "test" -d 'Test Connection: check the key and count the matters eligible now'
complete -c casestatus-sync -n "__fish_casestatus_sync_using_subcommand help; and not __fish_seen_subcommand_from demo init setup connect test disconnect synced-statuses refetch-practice-areas map event-types sync why-skipped log messages status metrics doctor serve fleet sandbox completions man help" -f -a "disconnect" -d 'Remove API Key: stop all syncing (the record of what was pushed is kept)'
complete -c casestatus-sync -n "__fish_casestatus_sync_using_subcommand help; and not __fish_seen_subcommand_from demo init setup connect test disconnect synced-statuses refetch-practice-areas map event-types sync why-skipped log messages status metrics doctor serve fleet sandbox completions man help" -f -a "synced-statuses" -d 'Show or change which matter statuses are synced (default Open)'
complete -c casestatus-sync -n "__fish_casestatus_sync_using_subcommand help; and not __fish_seen_subcommand_from demo init setup connect test disconnect synced-statuses refetch-practice-areas map event-types sync why-skipped log messages status metrics doctor serve fleet sandbox completions man help" -f -a "refetch-practice-areas" -d 'Pull practice areas and stages from CaseStatus; report what is new and what vanished'
complete -c casestatus-sync -n "__fish_casestatus_sync_using_subcommand help; and not __fish_seen_subcommand_from demo init setup connect test disconnect synced-statuses refetch-practice-areas map event-types sync why-skipped log messages status metrics doctor serve fleet sandbox completions man help" -f -a "map" -d 'Practice Area & Stage Mapping: show the overview, or map one item'
complete -c casestatus-sync -n "__fish_casestatus_sync_using_subcommand help; and not __fish_seen_subcommand_from demo init setup connect test disconnect synced-statuses refetch-practice-areas map event-types sync why-skipped log messages status metrics doctor serve fleet sandbox completions man help" -f -a "event-types" -d 'Appointment Sync — Event Types: list, enable or disable'
complete -c casestatus-sync -n "__fish_casestatus_sync_using_subcommand help; and not __fish_seen_subcommand_from demo init setup connect test disconnect synced-statuses refetch-practice-areas map event-types sync why-skipped log messages status metrics doctor serve fleet sandbox completions man help" -f -a "sync" -d 'Run one sync cycle'
complete -c casestatus-sync -n "__fish_casestatus_sync_using_subcommand help; and not __fish_seen_subcommand_from demo init setup connect test disconnect synced-statuses refetch-practice-areas map event-types sync why-skipped log messages status metrics doctor serve fleet sandbox completions man help" -f -a "why-skipped" -d 'Explain why a matter is or is not in CaseStatus'
complete -c casestatus-sync -n "__fish_casestatus_sync_using_subcommand help; and not __fish_seen_subcommand_from demo init setup connect test disconnect synced-statuses refetch-practice-areas map event-types sync why-skipped log messages status metrics doctor serve fleet sandbox completions man help" -f -a "log" -d 'Recent Activity: recent runs, or one run\'s details'
complete -c casestatus-sync -n "__fish_casestatus_sync_using_subcommand help; and not __fish_seen_subcommand_from demo init setup connect test disconnect synced-statuses refetch-practice-areas map event-types sync why-skipped log messages status metrics doctor serve fleet sandbox completions man help" -f -a "messages" -d 'Client messages the sync could not import: list them, or import or acknowledge one'
complete -c casestatus-sync -n "__fish_casestatus_sync_using_subcommand help; and not __fish_seen_subcommand_from demo init setup connect test disconnect synced-statuses refetch-practice-areas map event-types sync why-skipped log messages status metrics doctor serve fleet sandbox completions man help" -f -a "status" -d 'Health for monitoring: ok, stale, not_syncing, stuck or disconnected, and each sync kind\'s last run; exit 6 unless ok or disconnected'
complete -c casestatus-sync -n "__fish_casestatus_sync_using_subcommand help; and not __fish_seen_subcommand_from demo init setup connect test disconnect synced-statuses refetch-practice-areas map event-types sync why-skipped log messages status metrics doctor serve fleet sandbox completions man help" -f -a "metrics" -d 'This firm\'s state as Prometheus text (format 0.0.4): last runs and successes, records, skips, pending messages, the status state; read-only, no key needed'
complete -c casestatus-sync -n "__fish_casestatus_sync_using_subcommand help; and not __fish_seen_subcommand_from demo init setup connect test disconnect synced-statuses refetch-practice-areas map event-types sync why-skipped log messages status metrics doctor serve fleet sandbox completions man help" -f -a "doctor" -d 'Check everything this setup relies on, read-only: config, databases, key, and CaseStatus\'s answers'
complete -c casestatus-sync -n "__fish_casestatus_sync_using_subcommand help; and not __fish_seen_subcommand_from demo init setup connect test disconnect synced-statuses refetch-practice-areas map event-types sync why-skipped log messages status metrics doctor serve fleet sandbox completions man help" -f -a "serve" -d 'The status page for support staff: a read-only web page of the settings, health, log and matters'
complete -c casestatus-sync -n "__fish_casestatus_sync_using_subcommand help; and not __fish_seen_subcommand_from demo init setup connect test disconnect synced-statuses refetch-practice-areas map event-types sync why-skipped log messages status metrics doctor serve fleet sandbox completions man help" -f -a "fleet" -d 'Many firms: `sync all` for each firm folder of DIR in this shard, each in its own process'
complete -c casestatus-sync -n "__fish_casestatus_sync_using_subcommand help; and not __fish_seen_subcommand_from demo init setup connect test disconnect synced-statuses refetch-practice-areas map event-types sync why-skipped log messages status metrics doctor serve fleet sandbox completions man help" -f -a "sandbox" -d 'Run a CaseStatus sandbox on 127.0.0.1 for trying the tool'
complete -c casestatus-sync -n "__fish_casestatus_sync_using_subcommand help; and not __fish_seen_subcommand_from demo init setup connect test disconnect synced-statuses refetch-practice-areas map event-types sync why-skipped log messages status metrics doctor serve fleet sandbox completions man help" -f -a "completions" -d 'Print shell completions'
complete -c casestatus-sync -n "__fish_casestatus_sync_using_subcommand help; and not __fish_seen_subcommand_from demo init setup connect test disconnect synced-statuses refetch-practice-areas map event-types sync why-skipped log messages status metrics doctor serve fleet sandbox completions man help" -f -a "man" -d 'Print the man page (roff) on stdout, or write every page into a folder'
complete -c casestatus-sync -n "__fish_casestatus_sync_using_subcommand help; and not __fish_seen_subcommand_from demo init setup connect test disconnect synced-statuses refetch-practice-areas map event-types sync why-skipped log messages status metrics doctor serve fleet sandbox completions man help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c casestatus-sync -n "__fish_casestatus_sync_using_subcommand help; and __fish_seen_subcommand_from map" -f -a "practice-area" -d 'Map a practice area to a FluentCase case type (or clear it)'
complete -c casestatus-sync -n "__fish_casestatus_sync_using_subcommand help; and __fish_seen_subcommand_from map" -f -a "stage" -d 'Map a stage of a practice area to a FluentCase matter status (or clear it)'
complete -c casestatus-sync -n "__fish_casestatus_sync_using_subcommand help; and __fish_seen_subcommand_from event-types" -f -a "enable" -d 'Push events of these types as appointments'
complete -c casestatus-sync -n "__fish_casestatus_sync_using_subcommand help; and __fish_seen_subcommand_from event-types" -f -a "disable" -d 'Stop pushing events of these types'
complete -c casestatus-sync -n "__fish_casestatus_sync_using_subcommand help; and __fish_seen_subcommand_from sync" -f -a "matters" -d 'Push eligible matters as cases'
complete -c casestatus-sync -n "__fish_casestatus_sync_using_subcommand help; and __fish_seen_subcommand_from sync" -f -a "appointments" -d 'Push calendar events of enabled event types as appointments'
complete -c casestatus-sync -n "__fish_casestatus_sync_using_subcommand help; and __fish_seen_subcommand_from sync" -f -a "messages" -d 'Import client messages as activities'
complete -c casestatus-sync -n "__fish_casestatus_sync_using_subcommand help; and __fish_seen_subcommand_from sync" -f -a "all" -d 'Matters, then appointments, then messages'
complete -c casestatus-sync -n "__fish_casestatus_sync_using_subcommand help; and __fish_seen_subcommand_from messages" -f -a "pending" -d 'List the client messages waiting unprocessed in CaseStatus that could not be imported, with why and since when (read-only)'
complete -c casestatus-sync -n "__fish_casestatus_sync_using_subcommand help; and __fish_seen_subcommand_from messages" -f -a "import" -d 'Import one message as an activity on the matter named, then mark it processed in CaseStatus'
complete -c casestatus-sync -n "__fish_casestatus_sync_using_subcommand help; and __fish_seen_subcommand_from messages" -f -a "acknowledge" -d 'Mark one message processed in CaseStatus without importing it'
complete -c casestatus-sync -n "__fish_casestatus_sync_using_subcommand completions" -f -a "bash zsh fish"
