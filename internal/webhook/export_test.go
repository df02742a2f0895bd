package webhook

// NewWithResolver is New with host names looked up by the given resolver.
var NewWithResolver = newClient
