vcl 4.1;
# Varnish in front of two application servers, as the frontend cache of bench/across_servers.py.
#
# Anonymous GETs of pages are kept for ten minutes, so that within a run only a purge can take
# a page out of the cache, unless the backend marks the page private or no-store. PURGE (what
# Wagtail's HTTPBackend sends) is accepted from this machine only. The harness fills in the
# two ports (@PORT_A@, @PORT_B@) in a copy of this file.

import directors;

backend server_a {
    .host = "127.0.0.1";
    .port = "@PORT_A@";
}

backend server_b {
    .host = "127.0.0.1";
    .port = "@PORT_B@";
}

acl purgers {
    "127.0.0.1";
}

sub vcl_init {
    new servers = directors.round_robin();
    servers.add_backend(server_a);
    servers.add_backend(server_b);
}

sub vcl_recv {
    set req.backend_hint = servers.backend();
    if (req.method == "PURGE") {
        if (client.ip !~ purgers) {
            return (synth(405, "Not allowed"));
        }
        return (purge);
    }
    if (req.method != "GET" && req.method != "HEAD") {
        return (pass);
    }
    if (req.url ~ "^/(admin|django-admin|_util)/" || req.http.Cookie ~ "(^|;\s*)sessionid=") {
        return (pass);
    }
    # Anonymous visitors: no cookie the pages read.
    unset req.http.Cookie;
    return (hash);
}

sub vcl_backend_response {
    if (bereq.uncacheable) {
        return (deliver);
    }
    # A page rendered while a change was on its way to the database says so: not kept (a
    # second's hit-for-miss, so the next request goes to the servers, uncoalesced).
    if (beresp.http.Cache-Control ~ "(private|no-store)") {
        set beresp.uncacheable = true;
        set beresp.ttl = 1s;
        set beresp.grace = 0s;
        return (deliver);
    }
    if (beresp.status == 200 && !beresp.http.Set-Cookie) {
        set beresp.ttl = 10m;
        set beresp.grace = 0s;
        return (deliver);
    }
    # Anything else (redirects, errors) briefly, so a login redirect is not kept long.
    set beresp.ttl = 1s;
    set beresp.grace = 0s;
    return (deliver);
}

sub vcl_deliver {
    if (obj.uncacheable) {
        set resp.http.X-Cache = "pass";
    } elsif (obj.hits > 0) {
        set resp.http.X-Cache = "hit";
    } else {
        set resp.http.X-Cache = "miss";
    }
}
