package app

import (
	abci "github.com/cometbft/cometbft/abci/types"
)

// App is the Custos ABCI application.
type App struct {
	abci.BaseApplication
	cfg Config
}

var _ abci.Application = (*App)(nil)

// New opens the application's state under cfg.DataDir.
func New(cfg Config) (*App, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	return &App{cfg: cfg}, nil
}

// Close releases the application's database.
func (a *App) Close() error { return nil }
