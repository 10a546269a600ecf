# Values for this workspace; they win over the variable defaults.
email_domain = "acme.example"
