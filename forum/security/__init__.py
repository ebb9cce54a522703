"""Security helpers that know no capability: tokens, encryption, headers, access rules, audit."""
