# Shared by ./proctap and scripts/*: find a JDK 25 or newer.
# Looks at JAVA_HOME, the java on PATH, then /usr/lib/jvm/*.

java_major() { # $1 = JDK home; prints the feature version, or nothing
    local home="$1" v
    [ -x "$home/bin/java" ] || return 0
    if [ -f "$home/release" ]; then
        v=$(sed -n 's/^JAVA_VERSION="\([0-9]*\).*/\1/p' "$home/release")
    fi
    if [ -z "${v:-}" ]; then
        v=$("$home/bin/java" -version 2>&1 | sed -n 's/.*version "\([0-9]*\).*/\1/p' | head -1)
    fi
    echo "${v:-}"
}

find_jdk() { # prints the home of a JDK >= 25, or fails
    local candidates=() c java_on_path
    [ -n "${JAVA_HOME:-}" ] && candidates+=("$JAVA_HOME")
    java_on_path=$(command -v java 2>/dev/null || true)
    if [ -n "$java_on_path" ]; then
        candidates+=("$(dirname "$(dirname "$(readlink -f "$java_on_path")")")")
    fi
    for c in /usr/lib/jvm/*; do candidates+=("$c"); done
    for c in "${candidates[@]}"; do
        local major
        major=$(java_major "$c")
        if [ -n "$major" ] && [ "$major" -ge 25 ] && [ -x "$c/bin/javac" ]; then
            echo "$c"
            return 0
        fi
    done
    return 1
}
